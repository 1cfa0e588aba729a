import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// The monorepo root: Turbopack and output tracing must see the hoisted node_modules and the
// workspace packages (`@perimeter/db`, `@perimeter/core`, `@perimeter/runtime`) that live outside web/.
const monorepoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Workspace packages ship TypeScript sources (with .ts import specifiers), so Next compiles them.
  transpilePackages: ["@perimeter/db", "@perimeter/core", "@perimeter/runtime"],
  // Node-only clients stay out of the bundle and are loaded from node_modules at runtime: Prisma's
  // runtime loads its query compiler (wasm) lazily, pg / ioredis open sockets, and BullMQ reads its Lua
  // scripts from its own package directory.
  serverExternalPackages: ["@prisma/client", "@prisma/adapter-pg", "pg", "ioredis", "bullmq"],
  turbopack: { root: monorepoRoot },
  // Browsers ask for /favicon.ico whenever a page shows them no icon link (an interrupted load, a page
  // whose head is being replaced); it is the same icon as app/icon.svg, never a 404 in their console.
  async redirects() {
    return [{ source: "/favicon.ico", destination: "/icon.svg", permanent: true }];
  },
  // The dashboard handles secrets: it is never framed, never sniffed, and tells other sites nothing.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "no-referrer" },
        ],
      },
    ];
  },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
