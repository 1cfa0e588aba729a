import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import type { APIRequestContext, Browser, BrowserContext, Page } from "@playwright/test";
import { gatewayUrl } from "../playwright.config.ts";
import { runClaude } from "./claude-code.ts";
import {
  acceptInvitation,
  admin,
  createQuickSimulator,
  expect,
  screenshot,
  signIn,
  test,
  unique,
  watch,
} from "./support.ts";

/*
 * One team's life, as its people live it, in five journeys that run in order and share what they create:
 * an admin sets the team up, a developer connects Claude Code, the developer hits a limit the admin
 * raises, the admin revokes the key, and an auditor checks usage, an export and the audit trail of all
 * of it. Each journey is its own test so a failure names the journey; later ones are skipped after one fails.
 */
test.describe.configure({ mode: "serial" });

const suffix = unique();
const story = {
  teamName: `Payments ${suffix}`,
  teamId: "",
  devEmail: `dev-${suffix}@example.test`,
  devPassword: `a long password ${suffix}`,
  inviteUrl: "",
  deploymentName: `sim-${suffix}`,
  deploymentId: "",
  adminToken: "",
  /** The developer's key and the base URL, as copied from the Connect page. */
  key: "",
  baseUrl: "",
  keyId: "",
  /** Requests the gateway received with the developer's key (each is one row of the request log). */
  requests: 0,
};

let adminContext: BrowserContext;
let adminPage: Page;
let devContext: BrowserContext;
let devPage: Page;
const pageErrors: string[] = [];

test.beforeAll(async ({ browser }) => {
  adminContext = await browser.newContext();
  adminPage = await adminContext.newPage();
  devContext = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  devPage = await devContext.newPage();
  watch(adminPage, pageErrors);
  watch(devPage, pageErrors);
});

test.afterAll(async ({ request }) => {
  // Leave the shared stack as it was found: the journey's own deployment goes away.
  if (story.adminToken && story.deploymentId) {
    await request.delete(`/api/v1/deployments/${story.deploymentId}`, {
      headers: { authorization: `Bearer ${story.adminToken}` },
      failOnStatusCode: false,
    });
  }
  await adminContext?.close();
  await devContext?.close();
});

// The shared pages outlive each test's own context, so their console errors are checked here.
test.afterEach(() => {
  expect(pageErrors.splice(0), "console errors on the story's pages").toEqual([]);
});

test("1. an admin creates a team, invites a developer, sets the team's limits and image policy, and starts a deployment that becomes Ready", async () => {
  test.setTimeout(120_000);
  const page = adminPage;
  await signIn(page, admin.email, admin.password);

  await page.goto("/teams");
  const create = page.getByTestId("create-team-form");
  await create.getByLabel("Name").fill(story.teamName);
  await create.getByRole("button", { name: "Create team" }).click();
  await expect(create.getByRole("status")).toHaveText(`Team ${story.teamName} created.`);
  await page.getByRole("link", { name: story.teamName }).click();
  await expect(page.getByRole("heading", { level: 1, name: story.teamName })).toBeVisible();
  story.teamId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  expect(story.teamId).toMatch(/^team_/);

  // The developer has no account yet, so the answer is a single-use sign-up link.
  const addMember = page.getByTestId("add-member-form");
  await addMember.getByLabel("Email").fill(story.devEmail);
  await addMember.getByRole("button", { name: "Add to team" }).click();
  story.inviteUrl = (await page.getByTestId("reveal-value").textContent()) ?? "";
  expect(story.inviteUrl).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId("members-table")).toContainText(story.devEmail);
  await expect(page.getByTestId("members-table")).toContainText("invited");

  // Five requests a minute for the whole team: the developer will meet this limit in journey 3.
  await page.getByText("Edit team limits").click();
  const limits = page.getByTestId("team-limits-form");
  await limits.getByLabel("Requests per minute").fill("5");
  await limits.getByRole("button", { name: "Save team limits" }).click();
  await expect(limits.getByRole("status")).toHaveText("Team limits saved.");
  const rpm = page.getByTestId("effective-limits").locator("tr", { hasText: /^Requests per minute/ });
  await expect(rpm.locator("td.binding")).toContainText("5");

  // Images sent to the text-only model are refused for this team, and the choice survives a reload.
  const imagesRow = page.getByTestId("vision-policies-table").getByRole("row", { name: /umans-coder-v0/ });
  const imagesMode = imagesRow.getByLabel("What happens to images sent to umans-coder-v0");
  await imagesMode.selectOption("reject");
  await imagesRow.getByRole("button", { name: "Save" }).click();
  await expect(async () => {
    await page.reload();
    await expect(imagesMode).toHaveValue("reject", { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await screenshot(page, "team");

  // A second copy of the model on the simulator driver; the page follows the worker to Ready.
  story.deploymentId = await createQuickSimulator(page, story.deploymentName);
  await expect(page.getByTestId("deployment-phase")).toHaveText("Ready", { timeout: 60_000 });
  const replicas = page.getByTestId("replicas-table").locator("tbody tr");
  await expect(replicas).toHaveCount(1);
  await expect(replicas.first()).toContainText("healthy");
  await expect(replicas.first()).toContainText("routed");

  // Automation (the model's script below, and the auditor's scene-setting) uses an admin API token.
  story.adminToken = await createAdminToken(page, `story ${suffix}`);
});

test("2. the developer accepts, copies the setup from Connect, and Claude Code writes a file through the gateway", async ({
  request,
}) => {
  test.setTimeout(180_000);
  const page = devPage;
  await acceptInvitation(page, story.inviteUrl, story.devEmail, story.devPassword);
  // The link works once.
  await page.goto(story.inviteUrl);
  await expect(page.getByText("This invitation was already used.")).toBeVisible();

  await signIn(page, story.devEmail, story.devPassword);
  await page.goto("/connect");
  await page.getByRole("button", { name: "Create my key" }).click();
  await expect(page.getByTestId("reveal-value")).toHaveText(/^sk-prm-[0-9a-z]{12}-[A-Za-z0-9_-]{43}$/);
  // Copied with the page's own buttons, as a person does: the key, then the settings block.
  story.key = await copyWith(page, page.getByTestId("reveal"));
  expect(story.key).toBe(await page.getByTestId("reveal-value").textContent());
  const settingsText = await copyWith(page, page.locator(".code-block", { has: page.getByTestId("setup-snippet") }));
  const settings = JSON.parse(settingsText) as { env: Record<string, string> };
  expect(settings.env).toMatchObject({ ANTHROPIC_AUTH_TOKEN: story.key, ANTHROPIC_MODEL: "umans-coder-v0" });
  story.baseUrl = settings.env.ANTHROPIC_BASE_URL ?? "";
  expect((await request.get(`${story.baseUrl}/healthz`)).status()).toBe(200);
  await page.getByRole("tab", { name: "Shell" }).click();
  await expect(page.getByTestId("setup-snippet")).toContainText(`export ANTHROPIC_AUTH_TOKEN=${story.key}`);

  await page.getByRole("button", { name: "Test the connection" }).click();
  await expect(page.getByTestId("test-result")).toContainText("Connected", { timeout: 60_000 });
  story.requests += 1;

  // The model's side of the task: asked to create a file, it calls Claude Code's Write tool; given the
  // tool's result, it says it is done. Every ready replica of the model gets the same script.
  const endpoints = await replicaEndpoints(request, story.adminToken);
  expect(endpoints.length).toBeGreaterThan(0);
  await setSimulatorRules(request, endpoints, [
    {
      when: { lastRole: "user", hasTools: true, anyTextMatches: 'Create the file (\\S+) containing "([^"]+)"' },
      turn: { toolCalls: [{ name: "Write", arguments: { file_path: "{{1}}", content: "{{2}}\n" } }] },
    },
    { when: { lastRole: "tool", hasTools: true }, turn: { content: "Done: the file is written." } },
  ]);

  // A developer's machine: a home whose ~/.claude/settings.json is exactly what the page gave, and a project.
  const machine = await mkdtemp(path.join(os.tmpdir(), "perimeter-claude-"));
  try {
    const home = path.join(machine, "home");
    const project = path.join(machine, "project");
    await mkdir(path.join(home, ".claude"), { recursive: true });
    await mkdir(project);
    await writeFile(path.join(home, ".claude", "settings.json"), settingsText);
    const file = path.join(project, "NOTES.md");
    const started = Date.now();
    const run = await runClaude({
      prompt: `Create the file ${file} containing "Perimeter story ${suffix}"`,
      cwd: project,
      home,
      args: ["--allowedTools", "Write"],
    });
    expect(run.code, `claude exited with ${run.code}\n${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.result).toMatchObject({ subtype: "success", is_error: false, result: "Done: the file is written." });
    // Two model calls: the one that asked for Write and the one that read its result.
    expect(run.result?.num_turns).toBe(2);
    story.requests += 2;
    test.info().annotations.push({ type: "claude -p", description: `${Date.now() - started} ms` });
    expect(await readFile(file, "utf8")).toBe(`Perimeter story ${suffix}\n`);
  } finally {
    await setSimulatorRules(request, await replicaEndpoints(request, story.adminToken), []);
    await rm(machine, { recursive: true, force: true });
  }

  // The developer's own usage: the connection test and Claude Code's two calls, once the worker has them.
  await page.goto("/usage/requests?range=24h");
  const rows = page.getByTestId("requests-table").locator("tbody tr");
  await expect(async () => {
    await page.reload();
    await expect(rows).toHaveCount(story.requests, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(rows.first()).toContainText(story.teamName);
  await expect(rows.filter({ hasText: "200" })).toHaveCount(story.requests);
});

test("3. the developer exceeds the team's requests per minute, is told why, and passes once the admin raises it", async () => {
  test.setTimeout(60_000);
  const client = new Anthropic({ apiKey: story.key, baseURL: story.baseUrl, maxRetries: 0 });
  const ask = () =>
    client.messages.create({
      model: "umans-coder-v0",
      max_tokens: 16,
      messages: [{ role: "user", content: "Say hi." }],
    });

  // Five a minute for the team, three used in journey 2: at most three more can pass before the refusal.
  let refusal: unknown;
  for (let attempt = 0; attempt < 6 && !refusal; attempt++) {
    story.requests += 1;
    await ask().catch((error: unknown) => {
      refusal = error;
    });
  }
  expect(refusal, "no request was refused within six attempts").toBeInstanceOf(Anthropic.RateLimitError);
  const denied = refusal as InstanceType<typeof Anthropic.RateLimitError>;
  expect(denied.status).toBe(429);
  expect(denied.message).toMatch(/requests per minute/i);
  expect(denied.message).toContain("5");
  expect(Number(denied.headers?.get("retry-after"))).toBeGreaterThan(0);
  test.info().annotations.push({ type: "429", description: denied.message });

  const page = adminPage;
  await page.goto(`/teams/${story.teamId}`);
  await page.getByText("Edit team limits").click();
  const limits = page.getByTestId("team-limits-form");
  await limits.getByLabel("Requests per minute").fill("100");
  await limits.getByRole("button", { name: "Save team limits" }).click();
  await expect(limits.getByRole("status")).toHaveText("Team limits saved.");

  // The very next request passes: the gateway heard of the change.
  story.requests += 1;
  const answer = await ask();
  expect(answer.type).toBe("message");
});

test("4. the admin revokes the key, and the gateway refuses it within a second", async () => {
  const page = adminPage;
  await page.goto("/keys");
  const row = page.getByTestId("keys-table").locator("tr", { hasText: `…${story.key.slice(-4)}` });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: /^Revoke / }).click();
  await expect(row).toHaveCount(0, { timeout: 30_000 });
  const revokedAt = Date.now();

  let status = 0;
  let body = "";
  while (Date.now() - revokedAt < 5_000) {
    const response = await fetch(`${story.baseUrl}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": story.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "umans-coder-v0", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    });
    status = response.status;
    body = await response.text();
    if (status === 401) break;
    story.requests += 1;
  }
  const elapsed = Date.now() - revokedAt;
  expect(status, body).toBe(401);
  expect(elapsed).toBeLessThan(1_000);
  test.info().annotations.push({ type: "revoked → 401", description: `${elapsed} ms` });
  expect(JSON.parse(body)).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  await page.goto("/keys?all=1");
  await expect(page.getByTestId("keys-table").locator("tr", { hasText: `…${story.key.slice(-4)}` })).toContainText(
    "revoked",
  );
});

test("5. an auditor filters usage by team and range, exports it, checks the SHA-256, and reads the whole audit trail", async ({
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  const headers = { authorization: `Bearer ${story.adminToken}` };
  // Traffic from another team, so that the filter has something to leave out.
  const other = await request.post("/api/v1/teams", { headers, data: { name: `Other ${suffix}` } });
  const otherTeam = (await other.json()) as { id: string };
  const otherKey = await request.post(`/api/v1/teams/${otherTeam.id}/keys`, { headers, data: { name: "ci" } });
  await ask(request, ((await otherKey.json()) as { key: string }).key);

  const auditorEmail = `auditor-${suffix}@example.test`;
  const auditorPassword = `an auditor's password ${suffix}`;
  await adminPage.goto("/users");
  const invite = adminPage.getByTestId("invite-user-form");
  await invite.getByLabel("Email").fill(auditorEmail);
  await invite.getByLabel("Organization role").selectOption("auditor");
  await invite.getByRole("button", { name: "Create invitation" }).click();
  const link = (await adminPage.getByTestId("reveal-value").textContent()) ?? "";

  const { context, page: auditor } = await newPerson(browser);
  try {
    await acceptInvitation(auditor, link, auditorEmail, auditorPassword);
    await signIn(auditor, auditorEmail, auditorPassword);

    // The request log, filtered by team and range, holds exactly this team's requests.
    await auditor.goto("/usage/requests");
    const filters = auditor.getByTestId("usage-filters");
    await filters.getByLabel("Range").selectOption("24h");
    await filters.getByLabel("Team").selectOption({ label: story.teamName });
    await filters.getByRole("button", { name: "Apply" }).click();
    await expect(auditor).toHaveURL(new RegExp(`teamId=${story.teamId}`));
    const rows = auditor.getByTestId("requests-table").locator("tbody tr");
    await expect(async () => {
      await auditor.reload();
      await expect(rows).toHaveCount(story.requests, { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(rows.filter({ hasText: "429" })).toHaveCount(1);

    // The same filter exported as CSV: one line per request, the file's SHA-256 as shown and as in its manifest.
    await auditor.getByRole("link", { name: "Charts" }).click();
    await expect(auditor.getByTestId("usage-filters").getByLabel("Team")).toHaveValue(story.teamId);
    const exportForm = auditor.getByTestId("export-this-form");
    await exportForm.getByLabel("Rows").selectOption("usage");
    await exportForm.getByLabel("Format").selectOption("csv");
    await exportForm.getByRole("button", { name: "Request export" }).click();
    await expect(auditor).toHaveURL(/\/exports\?requested=exp_/);
    const exportId = new URL(auditor.url()).searchParams.get("requested") ?? "";
    const row = auditor.locator(`tr[data-export-id="${exportId}"]`);
    await expect(row.getByTestId("export-status")).toHaveText("succeeded", { timeout: 60_000 });
    await expect(row).toContainText(`${story.requests} rows`);
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
    expect(lines).toHaveLength(story.requests + 1);
    const teamColumn = (lines[0] ?? "").split(",").indexOf("team_id");
    for (const line of lines.slice(1)) expect(line.split(",")[teamColumn]).toBe(story.teamId);
    const manifest = JSON.parse((await download("Manifest")).bytes.toString("utf8"));
    expect(manifest).toMatchObject({
      exportId,
      kind: "usage_events",
      format: "csv",
      rowCount: story.requests,
      sha256: shown,
      filter: { teamId: story.teamId },
      requestedBy: { type: "user", label: auditorEmail },
    });

    // The audit trail of the team, oldest first: every admin action of the story, the developer's key and
    // the export just requested.
    await auditor.goto(`/audit?teamId=${story.teamId}`);
    await expect(auditor.getByTestId("chain-status")).toContainText("Chain verified");
    const trail = await auditTrail(auditor);
    expect(trail).toEqual([
      ["team.create", admin.email],
      ["team_member.add", admin.email],
      ["invitation.create", admin.email],
      ["limits.set", admin.email],
      ["vision_policy.set", admin.email],
      ["api_key.create", story.devEmail],
      ["limits.set", admin.email],
      ["api_key.revoke", admin.email],
      ["export.request", auditorEmail],
    ]);
    await auditor.goto(`/audit?targetId=${story.deploymentId}`);
    expect((await auditTrail(auditor)).filter(([action]) => !action.startsWith("deployment.phase"))).toEqual([
      ["deployment.create", admin.email],
    ]);
    // The scene-setting above went through the admin API token, and is on record under its name.
    await auditor.goto(`/audit?teamId=${otherTeam.id}`);
    expect(await auditTrail(auditor)).toEqual([
      ["team.create", `story ${suffix}`],
      ["api_key.create", `story ${suffix}`],
    ]);
    await screenshot(auditor, "audit");
  } finally {
    await context.close();
  }
});

/** The audit table's (action, actor) pairs, oldest first. */
async function auditTrail(page: Page): Promise<Array<[string, string]>> {
  const rows = page.getByTestId("audit-table").locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const pairs: Array<[string, string]> = [];
  for (const row of await rows.all()) {
    const cells = row.locator("td");
    // The actor cell is the label, then the id on a line of its own.
    const actor = await cells.nth(2).evaluate((cell) => cell.firstChild?.textContent ?? "");
    pairs.push([((await cells.nth(3).textContent()) ?? "").trim(), actor.trim()]);
  }
  return pairs.reverse();
}

async function newPerson(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ acceptDownloads: true });
  return { context, page: await context.newPage() };
}

/** Clicks the Copy button inside `scope` and returns what landed on the clipboard. */
async function copyWith(page: Page, scope: ReturnType<Page["locator"]>): Promise<string> {
  await scope.getByRole("button", { name: "Copy" }).click();
  await expect(scope.getByRole("button", { name: "Copied" })).toBeVisible();
  return page.evaluate(() => navigator.clipboard.readText());
}

async function createAdminToken(page: Page, name: string): Promise<string> {
  await page.goto("/settings");
  const form = page.getByTestId("create-token-form");
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create token" }).click();
  return (await page.getByTestId("reveal-value").textContent()) ?? "";
}

/** Where the ready replicas of every deployment listen (the simulator's control routes live there too). */
async function replicaEndpoints(request: APIRequestContext, token: string): Promise<string[]> {
  const response = await request.get("/api/v1/deployments", { headers: { authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  const { deployments } = (await response.json()) as {
    deployments: Array<{ driver: string; replicas: Array<{ endpoint: string; health: string }> }>;
  };
  return deployments
    .filter((d) => d.driver === "simulator")
    .flatMap((d) => d.replicas.filter((r) => r.health === "healthy").map((r) => r.endpoint.replace(/\/+$/, "")));
}

async function setSimulatorRules(request: APIRequestContext, endpoints: string[], rules: unknown[]): Promise<void> {
  for (const endpoint of endpoints) {
    const response = await request.put(`${endpoint}/sim/rules`, { data: { rules } });
    expect(response.status(), await response.text()).toBe(200);
  }
}

/** One small, real request through the gateway with `key`. */
async function ask(request: APIRequestContext, key: string): Promise<void> {
  const response = await request.post(`${gatewayUrl}/v1/messages`, {
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
    data: { model: "umans-coder-v0", max_tokens: 16, messages: [{ role: "user", content: "Say hi." }] },
  });
  expect(response.status(), await response.text()).toBe(200);
}
