import { admin, expect, screenshot, signIn, signOut, test, unique } from "./support.ts";

test("forms answer bad input next to the field and create nothing", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await page.goto("/teams");
  const create = page.getByTestId("create-team-form");
  await create.getByRole("button", { name: "Create team" }).click();
  await expect(create.locator(".field-error")).toHaveText("required");

  await page.goto("/keys");
  const key = page.getByTestId("create-key-form");
  await key.getByLabel("Name").fill(`bad limits ${unique()}`);
  await key.getByText("Key limits (optional)").click();
  await key.getByLabel("Requests per minute").fill("-5");
  await key.getByLabel("Tokens per day", { exact: true }).fill("lots");
  await key.getByRole("button", { name: "Create key" }).click();
  await expect(key.getByRole("alert")).toBeVisible();
  await expect(key.locator(".field.has-error")).toHaveCount(2);
  await expect(page.getByTestId("reveal")).toHaveCount(0);
});

test("an admin API token made in Settings drives the REST API, and every call is audited", async ({
  page,
  request,
}) => {
  await signIn(page, admin.email, admin.password);
  await page.goto("/settings");
  const form = page.getByTestId("create-token-form");
  const name = `automation ${unique()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByTestId("reveal-value").textContent();
  const headers = { authorization: `Bearer ${token}` };

  const team = await request.post("/api/v1/teams", { headers, data: { name: `API ${unique()}` } });
  expect(team.status()).toBe(201);
  const { id: teamId } = await team.json();
  const key = await request.post(`/api/v1/teams/${teamId}/keys`, {
    headers,
    data: { name: "ci", limits: { requestsPerMinute: 10, tokensPerDay: 100000 } },
  });
  expect(key.status()).toBe(201);
  const created = await key.json();
  expect(created.key).toMatch(/^sk-prm-/);
  expect(
    (await request.put(`/api/v1/keys/${created.id}/limits`, { headers, data: { maxTokens: 1024 } })).status(),
  ).toBe(200);
  expect((await request.delete(`/api/v1/keys/${created.id}`, { headers })).status()).toBe(200);
  const unauthenticated = await request.get("/api/v1/teams");
  expect(unauthenticated.status()).toBe(401);

  const audit = await request.get(`/api/v1/audit?targetId=${created.id}`, { headers });
  const { events } = await audit.json();
  expect(events.map((e: { action: string }) => e.action)).toEqual(["api_key.revoke", "api_key.create"]);
  expect(events[0]).toMatchObject({ actorType: "api_key", actorLabel: name });
  const spec = await request.get("/api/v1/openapi.json");
  expect((await spec.json()).paths).toHaveProperty("/api/v1/teams/{teamId}/keys");

  await page.goto("/audit");
  await expect(page.getByTestId("chain-status")).toContainText("Chain verified");
});

test("screens of every main page render without console errors", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  for (const [path, heading] of [
    ["/connect", "Connect Claude Code"],
    ["/teams", "Teams"],
    ["/keys", "API keys"],
    ["/limits", "Limits"],
    ["/usage?range=7d&groupBy=team", "Usage"],
    ["/usage/requests", "Request log"],
    ["/exports", "Exports"],
    ["/models", "Models"],
    ["/deployments", "Deployments"],
    ["/users", "People"],
    ["/audit", "Audit log"],
    ["/settings", "Settings"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    if (path === "/limits") {
      // The interesting view is a key's stack of limits (a key with limits of its own, if any), not the chooser.
      const keys = page.getByLabel("Key", { exact: true });
      const options = await keys.locator("option").allTextContents();
      const pick = Math.max(
        1,
        options.findIndex((text) => text.includes("ci-runner")),
      );
      await keys.selectOption({ index: pick });
      await page.getByRole("button", { name: "Show" }).nth(1).click();
      await expect(page.getByTestId("effective-limits").first()).toBeVisible();
    }
    await screenshot(page, path.slice(1).replace(/\?.*$/, "").replace("usage/requests", "requests"));
  }
  await signOut(page);
  await screenshot(page, "sign-in");
});
