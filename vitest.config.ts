import path from "node:path";
import { defineConfig } from "vitest/config";

// One Vitest run covers every workspace; each workspace is a project so failures are labelled by
// package and `npm test -w <workspace>` can run one alone. Integration tests get a fresh, migrated
// scratch database per project from the global setup (scripts/vitest-global-setup.ts); they share the
// Redis server and keep their keys apart themselves.
const workspaces = [
  "prisma",
  "packages/core",
  "packages/stack",
  "packages/runtime",
  "packages/vllm-sim",
  "gateway",
  "worker",
  "web",
  "deploy",
];

export default defineConfig({
  test: {
    projects: workspaces.map((root) => ({
      extends: true as const,
      test: {
        name: root.replace(/^packages\//, ""),
        root: path.join(import.meta.dirname, root),
        include: [
          "src/**/*.test.ts",
          "test/**/*.test.ts",
          "app/**/*.test.ts",
          "lib/**/*.test.ts",
          "bench/**/*.test.ts",
        ],
      },
    })),
    globalSetup: [path.join(import.meta.dirname, "scripts/vitest-global-setup.ts")],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
