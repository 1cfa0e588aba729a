import { defineConfig } from "vitest/config";

// The benchmark's pure parts (statistics, answer checks, request bodies, profile summary). They need no
// database or Redis: `npx vitest run --config gateway/bench/vitest.config.ts`.
export default defineConfig({
  test: { root: import.meta.dirname, include: ["*.test.ts"] },
});
