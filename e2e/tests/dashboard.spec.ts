import { admin, expect, screenshot, signIn, signOut, test, unique } from "./support.ts";

test("an admin creates a team, invites a developer who accepts, creates a key, gets limits and revokes it", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const suffix = unique();
  const teamName = `Payments ${suffix}`;
  const devEmail = `dev-${suffix}@example.test`;
  const devPassword = `a long password ${suffix}`;

  await signIn(page, admin.email, admin.password);
  await page.goto("/teams");
  const create = page.getByTestId("create-team-form");
  await create.getByLabel("Name").fill(teamName);
  await create.getByRole("button", { name: "Create team" }).click();
  await expect(create.getByRole("status")).toHaveText(`Team ${teamName} created.`);
  await page.getByRole("link", { name: teamName }).click();
  await expect(page.getByRole("heading", { level: 1, name: teamName })).toBeVisible();

  // Invite a developer: they have no account, so the answer is a single-use link.
  const addMember = page.getByTestId("add-member-form");
  await addMember.getByLabel("Email").fill(devEmail);
  await addMember.getByRole("button", { name: "Add to team" }).click();
  const inviteUrl = await page.getByTestId("reveal-value").textContent();
  expect(inviteUrl).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId("members-table")).toContainText(devEmail);
  await expect(page.getByTestId("members-table")).toContainText("invited");

  // Team limits, and the effective view naming the team's as the tightest.
  await page.getByText("Edit team limits").click();
  const limits = page.getByTestId("team-limits-form");
  await limits.getByLabel("Requests per minute").fill("60");
  await limits.getByRole("button", { name: "Save team limits" }).click();
  await expect(limits.getByRole("status")).toHaveText("Team limits saved.");
  await expect(page.getByTestId("effective-limits")).toContainText("tightest");

  // Images sent to the text-only model: the team's vision policy, kept across a reload.
  const imagesRow = page.getByTestId("vision-policies-table").getByRole("row", { name: /umans-coder-v0/ });
  const imagesMode = imagesRow.getByLabel("What happens to images sent to umans-coder-v0");
  await imagesMode.selectOption("reject");
  await imagesRow.getByRole("button", { name: "Save" }).click();
  await expect(async () => {
    await page.reload();
    await expect(imagesMode).toHaveValue("reject", { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await screenshot(page, "team");
  await signOut(page);

  // The developer accepts in a browser of their own.
  const devContext = await browser.newContext();
  const dev = await devContext.newPage();
  await dev.goto(inviteUrl ?? "");
  await expect(dev.getByText(`as ${devEmail}`)).toBeVisible();
  await dev.getByLabel(/^Password/).fill(devPassword);
  await dev.getByLabel("Repeat the password").fill(devPassword);
  await dev.getByRole("button", { name: "Create account" }).click();
  await expect(dev.getByRole("status")).toContainText("Your account is ready");
  // The link works once.
  await dev.goto(inviteUrl ?? "");
  await expect(dev.getByText("This invitation was already used.")).toBeVisible();

  await signIn(dev, devEmail, devPassword);
  await dev.goto("/connect");
  await dev.getByRole("button", { name: "Create my key" }).click();
  const secret = await dev.getByTestId("reveal-value").textContent();
  expect(secret).toMatch(/^sk-prm-[0-9a-z]{12}-[A-Za-z0-9_-]{43}$/);
  await expect(dev.getByTestId("setup-snippet")).toContainText(`"ANTHROPIC_AUTH_TOKEN": "${secret}"`);
  await expect(dev.getByTestId("setup-snippet")).toContainText('"ANTHROPIC_MODEL": "umans-coder-v0"');
  await dev.getByRole("tab", { name: "Shell" }).click();
  await expect(dev.getByTestId("setup-snippet")).toContainText(`export ANTHROPIC_AUTH_TOKEN=${secret}`);

  // Key limits within the team's: the key's 30 binds, not the team's 60.
  await dev.goto("/keys");
  const row = dev.getByTestId("keys-table").locator("tr", { hasText: "claude-code" });
  await expect(row).toContainText(`…${secret?.slice(-4)}`);
  await row.getByRole("link", { name: "Limits" }).click();
  const keyLimits = dev.getByTestId("target-limits-form");
  await keyLimits.getByLabel("Requests per minute").fill("30");
  await keyLimits.getByRole("button", { name: "Save limits" }).click();
  await expect(keyLimits.getByRole("status")).toHaveText("Limits saved.");
  await dev.reload();
  const rpm = dev.getByTestId("effective-limits").locator("tr", { hasText: /^Requests per minute/ });
  await expect(rpm).toContainText("60");
  await expect(rpm.locator("td.binding")).toContainText("30");

  // Revoke: two clicks, then the key is listed as revoked.
  await dev.goto("/keys");
  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: "Revoke claude-code" }).click();
  await expect(dev.getByText("No keys here yet.")).toBeVisible({ timeout: 30_000 });
  await dev.goto("/keys?all=1");
  await expect(dev.getByTestId("keys-table").locator("tr", { hasText: "claude-code" })).toContainText("revoked");
  await devContext.close();
});

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
