// HEALTHCHECK for Perimeter's images: `node healthcheck.mjs <PORT_VARIABLE> <default port> <path>` exits 0
// when http://127.0.0.1:<port><path> answers 2xx within 3 s. The port follows the variable the service
// itself reads, so moving a service to another port does not make Docker call it unhealthy.
const [variable, fallback, path] = process.argv.slice(2);
const port = process.env[variable] || fallback;
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
