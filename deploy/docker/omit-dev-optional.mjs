// Runs after `npm ci --omit=dev` in the images. npm keeps packages flagged `devOptional` in the lockfile
// (needed in development, or as an optional peer of a production package): the Prisma CLI and
// TypeScript arrive that way as optional peers of @prisma/client, with ~200 MB of their own
// dependencies. Nothing at run time imports them, so they are removed. Platform binaries
// (esbuild, argon2, Next's SWC) are flagged `optional`, not `devOptional`, and stay.
import { existsSync, readFileSync, rmSync } from "node:fs";

const lockfile = JSON.parse(readFileSync("package-lock.json", "utf8"));
let removed = 0;
for (const [location, entry] of Object.entries(lockfile.packages ?? {})) {
  if (!entry.devOptional || !location.includes("node_modules/") || !existsSync(location)) continue;
  rmSync(location, { recursive: true, force: true });
  removed++;
}
console.log(`omit-dev-optional: removed ${removed} packages only development or optional peers need`);
