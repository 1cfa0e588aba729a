import { createDb } from "@perimeter/db";
import { readMigrations } from "@perimeter/db/migrate";
import { createScratchDatabase, type ScratchDatabase } from "@perimeter/db/scratch-database";
import { afterAll, describe, expect, inject, it } from "vitest";
import { parseBootstrapEnv } from "./env.ts";
import { runBootstrap } from "./run-bootstrap.ts";
import { pendingMigrations, waitForDatabase } from "./wait-for-schema.ts";

const serverUrl = inject("postgresServerUrl");
const databases: ScratchDatabase[] = [];

afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

async function emptyDatabase(): Promise<string> {
  const database = await createScratchDatabase(serverUrl, "perimeter_bootstrap");
  databases.push(database);
  return database.url;
}

const secret = "a-perimeter-secret-of-at-least-32-characters";
const adminToken = `sk-prm-${"a".repeat(12)}-${"b".repeat(43)}`;
const kubernetesDeployment = {
  name: "umans-coder",
  driver: "kubernetes",
  replicas: 1,
  spec: { kubernetes: { namespace: "perimeter" }, env: { HF_HUB_OFFLINE: "1" } },
};

function configFor(databaseUrl: string, extra: Record<string, string> = {}) {
  const parsed = parseBootstrapEnv({
    DATABASE_URL: databaseUrl,
    PERIMETER_SECRET: secret,
    PERIMETER_ADMIN_EMAIL: "ops@example.com",
    PERIMETER_ADMIN_PASSWORD: "correct horse battery",
    PERIMETER_ADMIN_TOKEN: adminToken,
    PERIMETER_MODEL_DEPLOYMENT: JSON.stringify(kubernetesDeployment),
    ...extra,
  });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.config;
}

describe("runBootstrap", () => {
  it("migrates an empty database, seeds the admin, token and model deployment, then changes nothing", async () => {
    const url = await emptyDatabase();
    const lines: string[] = [];
    const first = await runBootstrap(configFor(url), (line) => lines.push(line));
    const all = (await readMigrations()).map((m) => m.name);
    expect(first).toEqual({
      migrations: { applied: all, alreadyApplied: 0 },
      organizationCreated: true,
      adminTokenCreated: true,
      modelDeployment: "created",
    });
    // The starter key's secret must never reach a log line.
    expect(lines.join("\n")).not.toMatch(/sk-prm-/);

    const db = createDb(url, { maxConnections: 1 });
    try {
      const admin = await db.user.findFirstOrThrow({ where: { email: "ops@example.com" } });
      expect(admin.orgRole).toBe("admin");
      const deployment = await db.deployment.findFirstOrThrow({ where: { name: "umans-coder" } });
      expect(deployment).toMatchObject({ driver: "kubernetes", desiredReplicas: 1, generation: 1 });
      expect(await db.apiKey.count({ where: { scope: "admin" } })).toBe(1);

      const second = await runBootstrap(configFor(url), () => {});
      expect(second).toEqual({
        migrations: { applied: [], alreadyApplied: all.length },
        organizationCreated: false,
        adminTokenCreated: false,
        modelDeployment: "unchanged",
      });

      // A changed spec or replica count in the chart's values is applied on the next upgrade.
      const scaled = JSON.stringify({ ...kubernetesDeployment, replicas: 2 });
      const third = await runBootstrap(configFor(url, { PERIMETER_MODEL_DEPLOYMENT: scaled }), () => {});
      expect(third.modelDeployment).toBe("updated");
      const after = await db.deployment.findFirstOrThrow({ where: { name: "umans-coder" } });
      expect(after.desiredReplicas).toBe(2);
    } finally {
      await db.$disconnect();
    }
  });

  it("only migrates when nothing is to be seeded, and says so", async () => {
    const url = await emptyDatabase();
    const parsed = parseBootstrapEnv({ DATABASE_URL: url });
    if (!parsed.ok) throw new Error(parsed.message);
    const result = await runBootstrap(parsed.config, () => {});
    expect(result.organizationCreated).toBeNull();
    expect(result.migrations.applied.length).toBeGreaterThan(0);
  });
});

describe("waitForDatabase", () => {
  const quick = { timeoutMs: 0, intervalMs: 10 };

  it("holds services back until every shipped migration is applied", async () => {
    const url = await emptyDatabase();
    const all = (await readMigrations()).map((m) => m.name);
    expect(await pendingMigrations(url)).toEqual(all);
    const lines: string[] = [];
    expect(await waitForDatabase(url, { ...quick, until: "migrated", log: (l) => lines.push(l) })).toBe(false);
    expect(lines).toEqual([expect.stringContaining(`waiting for ${all.length} migration(s)`)]);
    expect(await waitForDatabase(url, { ...quick, until: "reachable", log: () => {} })).toBe(true);

    const parsed = parseBootstrapEnv({ DATABASE_URL: url });
    if (!parsed.ok) throw new Error(parsed.message);
    await runBootstrap(parsed.config, () => {});
    expect(await pendingMigrations(url)).toEqual([]);
    expect(await waitForDatabase(url, { ...quick, until: "migrated", log: () => {} })).toBe(true);
  });

  it("gives up on a database that never answers, saying why", async () => {
    const lines: string[] = [];
    const unreachable = "postgresql://postgres@127.0.0.1:1/none";
    expect(await waitForDatabase(unreachable, { ...quick, until: "reachable", log: (l) => lines.push(l) })).toBe(false);
    expect(lines[0]).toMatch(/^waiting for the database: .*ECONNREFUSED/);
  });
});

describe("parseBootstrapEnv", () => {
  it("names the variable that is missing or malformed, never a secret's value", () => {
    const noSecret = parseBootstrapEnv({
      DATABASE_URL: "postgresql://db/p",
      PERIMETER_ADMIN_PASSWORD: "long-enough-pass",
    });
    expect(noSecret).toEqual({ ok: false, message: expect.stringMatching(/PERIMETER_SECRET is required/) });
    const badJson = parseBootstrapEnv({ DATABASE_URL: "postgresql://db/p", PERIMETER_MODEL_DEPLOYMENT: "{name" });
    expect(badJson).toEqual({ ok: false, message: expect.stringMatching(/PERIMETER_MODEL_DEPLOYMENT must be JSON/) });
    const shortPassword = parseBootstrapEnv({
      DATABASE_URL: "postgresql://db/p",
      PERIMETER_SECRET: secret,
      PERIMETER_ADMIN_PASSWORD: "hunter2",
    });
    expect(shortPassword.ok).toBe(false);
    if (!shortPassword.ok) expect(shortPassword.message).not.toContain("hunter2");
  });
});
