/** Header access that works for a fetch `Headers` and for next-auth's plain header objects. */
type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(source: HeaderSource, name: string): string | undefined {
  if (source instanceof Headers) return source.get(name) ?? undefined;
  const value = source[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The client's address for rate limiting and the audit log: the last hop of X-Forwarded-For (the one
 * the nearest proxy, or Next's own server, appended; earlier entries are whatever the client sent),
 * else X-Real-IP, else "unknown".
 */
export function clientAddress(source: HeaderSource): string {
  const forwarded = header(source, "x-forwarded-for");
  const last = forwarded
    ?.split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .at(-1);
  return last ?? header(source, "x-real-ip") ?? "unknown";
}

/** The request's user agent, cut to a length fit for the audit log. */
export function userAgentOf(source: HeaderSource): string | undefined {
  return header(source, "user-agent")?.slice(0, 512);
}

/**
 * The origin the browser used, for links and cookie security when WEB_PUBLIC_URL is not set: the
 * configured public URL wins, else X-Forwarded-Proto / X-Forwarded-Host (a TLS-terminating proxy),
 * else the Host header over http.
 */
export function requestOrigin(source: HeaderSource, webPublicUrl: string | null): string {
  if (webPublicUrl) return webPublicUrl;
  const proto = header(source, "x-forwarded-proto")?.split(",")[0]?.trim() === "https" ? "https" : "http";
  const host = header(source, "x-forwarded-host")?.split(",")[0]?.trim() ?? header(source, "host") ?? "localhost";
  return `${proto}://${host}`;
}
