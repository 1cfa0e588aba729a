import { gatewayUrl } from "../playwright.config.ts";
import { admin, expect, signIn, test } from "./support.ts";

test("the connection test sends a real request through the gateway and shows the answer", async ({ page, request }) => {
  // The gateway's /v1/messages is built separately; until it answers, this journey has nothing to test.
  const probe = await request.post(`${gatewayUrl}/v1/messages`, { data: {}, failOnStatusCode: false });
  test.skip(probe.status() === 404, "the gateway does not serve /v1/messages yet");

  await signIn(page, admin.email, admin.password);
  await page.goto("/connect");
  await page.getByRole("button", { name: "Create my key" }).click();
  await expect(page.getByTestId("reveal-value")).toHaveText(/^sk-prm-/);
  await page.getByRole("button", { name: "Test the connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connected", { timeout: 60_000 });
  await expect(page.getByTestId("test-result")).toContainText(/answered in \d+ ms/);
});
