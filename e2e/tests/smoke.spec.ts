import { expect, test } from "@playwright/test";
import { gatewayUrl } from "../playwright.config.ts";

test("the front door leads to sign-in, which shows a gateway URL that reaches the gateway", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page).toHaveTitle("Sign in · Perimeter");
  await expect(page.getByRole("heading", { level: 1, name: "Perimeter" })).toBeVisible();

  const shown = page.getByTestId("gateway-url");
  await expect(shown).toHaveText(/^https?:\/\/\S+$/);
  // What the page tells developers to paste into Claude Code must be a live gateway.
  const res = await request.get(`${await shown.textContent()}/healthz`);
  expect(res.status()).toBe(200);
});

test("the gateway answers its liveness probe", async ({ request }) => {
  const res = await request.get(`${gatewayUrl}/healthz`);
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
  expect(res.headers()["request-id"]).toMatch(/^req_/);
});
