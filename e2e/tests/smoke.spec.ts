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

test("the browser's default /favicon.ico leads to the dashboard's icon", async ({ request }) => {
  const res = await request.get("/favicon.ico", { maxRedirects: 0 });
  expect(res.status()).toBe(308);
  expect(res.headers().location).toBe("/icon.svg");
  const icon = await request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/^image\/svg\+xml/);
});

test("the gateway answers its liveness probe", async ({ request }) => {
  const res = await request.get(`${gatewayUrl}/healthz`);
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
  expect(res.headers()["request-id"]).toMatch(/^req_/);
});

test("the starter key printed by npm start gets an answer from the model through the gateway", async ({ request }) => {
  const key = process.env.E2E_STARTER_KEY;
  test.skip(!key, "the stack was started without seeding a starter key");
  const res = await request.post(`${gatewayUrl}/v1/messages?beta=true`, {
    headers: { "x-api-key": key ?? "", "anthropic-version": "2023-06-01" },
    data: { model: "claude-opus-4-8", max_tokens: 64, messages: [{ role: "user", content: "Say hi" }] },
  });
  expect(res.status()).toBe(200);
  const message = await res.json();
  expect(message).toMatchObject({ type: "message", role: "assistant", model: "claude-opus-4-8" });
  expect(message.content[0]?.type).toBe("text");
});
