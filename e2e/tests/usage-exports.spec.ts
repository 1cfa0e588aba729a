import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { APIRequestContext, Page } from "@playwright/test";
import { gatewayUrl } from "../playwright.config.ts";
import { admin, expect, signIn, test, unique } from "./support.ts";

/** An admin API token made in Settings, as automation gets one. */
async function adminToken(page: Page): Promise<string> {
  await page.goto("/settings");
  const form = page.getByTestId("create-token-form");
  await form.getByLabel("Name").fill(`usage journey ${unique()}`);
  await form.getByRole("button", { name: "Create token" }).click();
  return (await page.getByTestId("reveal-value").textContent()) ?? "";
}

/** One small, real request through the gateway with `key`. */
async function ask(request: APIRequestContext, key: string): Promise<void> {
  const response = await request.post(`${gatewayUrl}/v1/messages`, {
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
    data: { model: "umans-coder-v0", max_tokens: 16, messages: [{ role: "user", content: "Say hi." }] },
  });
  expect(response.status(), await response.text()).toBe(200);
}

test("an auditor filters usage by team and range, exports it as CSV and checks the SHA-256 against the manifest", async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  const suffix = unique();
  const auditorEmail = `auditor-${suffix}@example.test`;
  const auditorPassword = `an auditor's password ${suffix}`;

  // An admin sets the scene: two teams with a key each, traffic from both.
  await signIn(page, admin.email, admin.password);
  const headers = { authorization: `Bearer ${await adminToken(page)}` };
  const team = async (name: string) => {
    const created = await request.post("/api/v1/teams", { headers, data: { name } });
    const { id } = await created.json();
    const key = await request.post(`/api/v1/teams/${id}/keys`, { headers, data: { name: "ci" } });
    return { id: id as string, name, key: (await key.json()).key as string };
  };
  const audited = await team(`Audited ${suffix}`);
  const other = await team(`Other ${suffix}`);
  for (let i = 0; i < 3; i++) await ask(request, audited.key);
  await ask(request, other.key);

  // … and invites an auditor, who accepts in a browser of their own.
  await page.goto("/users");
  const invite = page.getByTestId("invite-user-form");
  await invite.getByLabel("Email").fill(auditorEmail);
  await invite.getByLabel("Organization role").selectOption("auditor");
  await invite.getByRole("button", { name: "Create invitation" }).click();
  const link = (await page.getByTestId("reveal-value").textContent()) ?? "";
  const auditorContext = await browser.newContext({ acceptDownloads: true });
  const auditor = await auditorContext.newPage();
  await auditor.goto(link);
  await auditor.getByLabel(/^Password/).fill(auditorPassword);
  await auditor.getByLabel("Repeat the password").fill(auditorPassword);
  await auditor.getByRole("button", { name: "Create account" }).click();
  await expect(auditor.getByRole("status")).toContainText("Your account is ready");
  await signIn(auditor, auditorEmail, auditorPassword);

  // The request log, filtered by team and range, has exactly the audited team's three requests.
  await auditor.goto("/usage/requests");
  const filters = auditor.getByTestId("usage-filters");
  await filters.getByLabel("Range").selectOption("24h");
  await filters.getByLabel("Team").selectOption({ label: audited.name });
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(auditor).toHaveURL(new RegExp(`teamId=${audited.id}`));
  const rows = auditor.getByTestId("requests-table").locator("tbody tr");
  // The worker ingests within a second or two; the page shows what is stored when it is loaded.
  await expect(async () => {
    await auditor.reload();
    await expect(rows).toHaveCount(3, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(rows.first()).toContainText(audited.name);

  // The same filter on the charts page, exported as CSV, one row per request.
  await auditor.getByRole("link", { name: "Charts" }).click();
  await expect(auditor.getByTestId("usage-filters").getByLabel("Team")).toHaveValue(audited.id);
  const exportForm = auditor.getByTestId("export-this-form");
  await exportForm.getByLabel("Rows").selectOption("usage");
  await exportForm.getByLabel("Format").selectOption("csv");
  await exportForm.getByRole("button", { name: "Request export" }).click();
  await expect(auditor).toHaveURL(/\/exports\?requested=exp_/);
  const exportId = new URL(auditor.url()).searchParams.get("requested") ?? "";
  const row = auditor.locator(`tr[data-export-id="${exportId}"]`);
  // The page follows the worker's progress by itself, without a reload.
  await expect(row.getByTestId("export-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(row).toContainText("3 rows");
  const shown = await row.getByTestId("export-sha256").getAttribute("title");
  expect(shown).toMatch(/^[0-9a-f]{64}$/);

  const download = async (name: string) => {
    const [file] = await Promise.all([auditor.waitForEvent("download"), row.getByRole("link", { name }).click()]);
    return { name: file.suggestedFilename(), bytes: await readFile((await file.path()) ?? "") };
  };
  const data = await download("File");
  expect(data.name).toBe(`${exportId}.csv`);
  expect(createHash("sha256").update(data.bytes).digest("hex")).toBe(shown);
  const lines = data.bytes.toString("utf8").trimEnd().split("\n");
  expect(lines).toHaveLength(4);
  const teamColumn = (lines[0] ?? "").split(",").indexOf("team_id");
  for (const line of lines.slice(1)) expect(line.split(",")[teamColumn]).toBe(audited.id);
  const manifest = JSON.parse((await download("Manifest")).bytes.toString("utf8"));
  expect(manifest).toMatchObject({
    exportId,
    kind: "usage_events",
    format: "csv",
    rowCount: 3,
    sha256: shown,
    filter: { teamId: audited.id },
    requestedBy: { type: "user", label: auditorEmail },
  });

  // The charts come from rollups, which trail the traffic by up to a minute: they show the three too.
  await auditor.goto(`/usage?range=24h&teamId=${audited.id}`);
  await expect(async () => {
    await auditor.reload();
    await expect(auditor.getByTestId("usage-totals").locator('[data-metric="requests"]')).toHaveText("3", {
      timeout: 1_000,
    });
  }).toPass({ timeout: 120_000, intervals: [5_000] });
  await expect(auditor.getByTestId("chart-requests").locator("rect.series-1")).not.toHaveCount(0);
  await auditorContext.close();
});
