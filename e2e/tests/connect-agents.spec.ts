import { admin, expect, signIn, test } from "./support.ts";

test("Connect gives a ready setup for Codex CLI and OpenCode beside Claude Code's", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await page.goto("/connect");
  await expect(page.getByTestId("setup-snippet")).toContainText('"ANTHROPIC_BASE_URL"');
  await page.getByRole("tab", { name: "Codex CLI" }).click();
  await expect(page.getByTestId("codex-config")).toContainText('wire_api = "responses"');
  await expect(page.getByTestId("codex-config")).toContainText(/base_url = "http.*\/v1"/);
  await expect(page.getByTestId("codex-shell")).toContainText("export PERIMETER_API_KEY=");
  await page.getByRole("tab", { name: "OpenCode" }).click();
  await expect(page.getByTestId("opencode-config")).toContainText('"npm": "@ai-sdk/openai-compatible"');
  await page.getByRole("tab", { name: "Claude Code" }).click();
  await expect(page.getByTestId("setup-snippet")).toContainText('"ANTHROPIC_MODEL": "umans-coder-v0"');
});
