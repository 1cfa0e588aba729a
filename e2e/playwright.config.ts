import { defineConfig } from "@playwright/test";

// The stack (web, gateway, worker, vllm-sim) is started by `npm test` / `npm start`, never by Playwright;
// these URLs say where it runs. Chromium is Debian's (`apt-get install chromium`), so nothing is
// downloaded: never run `playwright install`.
const webUrl = process.env.E2E_WEB_URL ?? "http://localhost:3000";
export const gatewayUrl = process.env.E2E_GATEWAY_URL ?? "http://localhost:4000";

export default defineConfig({
  testDir: "./tests",
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  outputDir: "test-results/artifacts",
  reporter: [
    ["list"],
    ["json", { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? "test-results/results.json" }],
  ],
  use: {
    baseURL: webUrl,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
