import { createDb, randomBase32 } from "@perimeter/db";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createWebFixture, type Role, roles, type WebFixture } from "../testing/web-fixture";
import { listAudit, verifyAudit } from "./audit";
import { getConnectInfo } from "./connect";
import {
  createDeploymentAs,
  deleteDeploymentAs,
  getDeploymentAs,
  listDeployments,
  scaleDeploymentAs,
  setDeploymentStateAs,
  updateDeploymentAs,
} from "./deployments";
import { getExportAs, listExports, requestExportAs } from "./exports";
import { createAdminTokenAs, createKeyAs, listKeys, revokeKeyAs, rotateKeyAs } from "./keys";
import { getLimits, setLimitsAs } from "./limits";
import { addTeamMember, changeTeamMemberRole, removeTeamMember } from "./members";
import { createModelAs, listModels, updateModelAs } from "./models";
import type { OperationEnv } from "./operation-env";
import type { OperationResult } from "./operation-result";
import { getOrganization, updateOrganizationAs } from "./organization";
import { createTeamAs, getTeam, listTeams } from "./teams";
import { getUsage, listRequests } from "./usage";
import { inviteUser, listUsers, updateUserAs } from "./users";
import { setVisionPolicyAs } from "./vision-policies";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

type Run = (
  env: OperationEnv,
  principal: WebFixture["principals"][Role],
  fx: WebFixture,
) => Promise<OperationResult<unknown>>;

// Who may do what, written out by hand from the role definitions (admin: all; auditor: read only;
// team_admin: their team; developer: their own keys), independently of lib/authz/rights.ts, so a
// wrong entry in the rights table fails here. Every case targets team A unless it says otherwise.
const everyoneWhoRunsTeamA: Role[] = ["admin", "teamAdminA", "apiToken"];
const adminsOnly: Role[] = ["admin", "apiToken"];
const orgWide: Role[] = ["admin", "auditor", "apiToken"];
const origin = "https://perimeter.example";
const lastDay = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() };

const writes: { name: string; allowed: Role[]; run: Run }[] = [
  {
    name: "create a team",
    allowed: adminsOnly,
    run: (env, p) => createTeamAs(env, p, { name: `T ${randomBase32(6)}` }),
  },
  {
    name: "add a new person to team A",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) =>
      addTeamMember(env, p, { teamId: fx.teams.a, email: `n-${randomBase32(6)}@example.test` }, origin),
  },
  {
    name: "add developerA to team B (another team)",
    allowed: adminsOnly,
    run: (env, p, fx) => addTeamMember(env, p, { teamId: fx.teams.b, email: fx.principals.developerA.email }, origin),
  },
  {
    name: "promote developerA in team A",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) => changeTeamMemberRole(env, p, { memberId: fx.members.developerA, role: "team_admin" }),
  },
  {
    name: "promote developerB in team B",
    allowed: adminsOnly,
    run: (env, p, fx) => changeTeamMemberRole(env, p, { memberId: fx.members.developerB, role: "team_admin" }),
  },
  {
    name: "remove developerA from team A",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) => removeTeamMember(env, p, { memberId: fx.members.developerA }),
  },
  {
    name: "invite someone to the organization",
    allowed: adminsOnly,
    run: (env, p) => inviteUser(env, p, { email: `o-${randomBase32(6)}@example.test`, orgRole: "auditor" }, origin),
  },
  {
    name: "disable developerA",
    allowed: adminsOnly,
    run: (env, p, fx) => updateUserAs(env, p, { userId: fx.users.developerA, status: "disabled" }),
  },
  {
    name: "make developerB an admin",
    allowed: adminsOnly,
    run: (env, p, fx) => updateUserAs(env, p, { userId: fx.users.developerB, orgRole: "admin" }),
  },
  {
    name: "create a key owned by developerA",
    allowed: [...everyoneWhoRunsTeamA, "developerA"],
    run: (env, p, fx) => createKeyAs(env, p, { teamId: fx.teams.a, name: "k", ownerUserId: fx.users.developerA }),
  },
  {
    name: "create a key owned by developerA with limits",
    allowed: [...everyoneWhoRunsTeamA, "developerA"],
    run: (env, p, fx) =>
      createKeyAs(env, p, {
        teamId: fx.teams.a,
        name: "k",
        ownerUserId: fx.users.developerA,
        limits: { requestsPerMinute: 5 },
      }),
  },
  {
    name: "create a key owned by teamAdminA",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) => createKeyAs(env, p, { teamId: fx.teams.a, name: "k", ownerUserId: fx.users.teamAdminA }),
  },
  {
    name: "create a service key for team A",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) => createKeyAs(env, p, { teamId: fx.teams.a, name: "k", ownerUserId: null }),
  },
  {
    name: "create a key in team B owned by developerB",
    allowed: [...adminsOnly, "developerB"],
    run: (env, p, fx) => createKeyAs(env, p, { teamId: fx.teams.b, name: "k", ownerUserId: fx.users.developerB }),
  },
  {
    name: "revoke developerA's key",
    allowed: [...everyoneWhoRunsTeamA, "developerA"],
    run: (env, p, fx) => revokeKeyAs(env, p, { keyId: fx.keys.developerA }),
  },
  {
    name: "revoke team A's service key",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) => revokeKeyAs(env, p, { keyId: fx.keys.serviceA }),
  },
  {
    name: "revoke developerB's key",
    allowed: [...adminsOnly, "developerB"],
    run: (env, p, fx) => revokeKeyAs(env, p, { keyId: fx.keys.developerB }),
  },
  {
    name: "rotate developerA's key",
    allowed: [...everyoneWhoRunsTeamA, "developerA"],
    run: (env, p, fx) => rotateKeyAs(env, p, { keyId: fx.keys.developerA, gracePeriodSec: 60 }),
  },
  {
    name: "revoke an admin API token",
    allowed: adminsOnly,
    run: (env, p, fx) => revokeKeyAs(env, p, { keyId: fx.keys.otherAdminToken }),
  },
  {
    name: "rotate an admin API token",
    allowed: adminsOnly,
    run: (env, p, fx) => rotateKeyAs(env, p, { keyId: fx.keys.otherAdminToken }),
  },
  {
    name: "create an admin API token",
    allowed: adminsOnly,
    run: (env, p) => createAdminTokenAs(env, p, { name: "ci" }),
  },
  {
    name: "set the organization's caps",
    allowed: adminsOnly,
    run: (env, p) => setLimitsAs(env, p, { target: { type: "org" }, limits: { requestsPerMinute: 100 } }),
  },
  {
    name: "set team A's vision policy",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) => setVisionPolicyAs(env, p, { teamId: fx.teams.a, modelId: fx.models.builtin, mode: "reject" }),
  },
  {
    name: "set team B's vision policy",
    allowed: adminsOnly,
    run: (env, p, fx) => setVisionPolicyAs(env, p, { teamId: fx.teams.b, modelId: fx.models.builtin, mode: "reject" }),
  },
  {
    name: "set team A's limits",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) =>
      setLimitsAs(env, p, { target: { type: "team", teamId: fx.teams.a }, limits: { requestsPerMinute: 9 } }),
  },
  {
    name: "set team B's limits",
    allowed: adminsOnly,
    run: (env, p, fx) =>
      setLimitsAs(env, p, { target: { type: "team", teamId: fx.teams.b }, limits: { requestsPerMinute: 9 } }),
  },
  {
    name: "set developerA's member limits",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) =>
      setLimitsAs(env, p, {
        target: { type: "member", memberId: fx.members.developerA },
        limits: { maxConcurrentRequests: 2 },
      }),
  },
  {
    name: "set developerA's key limits",
    allowed: [...everyoneWhoRunsTeamA, "developerA"],
    run: (env, p, fx) =>
      setLimitsAs(env, p, { target: { type: "key", apiKeyId: fx.keys.developerA }, limits: { maxTokensCap: 4096 } }),
  },
  {
    name: "set team A's service key limits",
    allowed: everyoneWhoRunsTeamA,
    run: (env, p, fx) =>
      setLimitsAs(env, p, { target: { type: "key", apiKeyId: fx.keys.serviceA }, limits: { maxTokensCap: 4096 } }),
  },
  {
    name: "set developerB's key limits",
    allowed: [...adminsOnly, "developerB"],
    run: (env, p, fx) =>
      setLimitsAs(env, p, { target: { type: "key", apiKeyId: fx.keys.developerB }, limits: { maxTokensCap: 4096 } }),
  },
  {
    name: "change organization settings",
    allowed: adminsOnly,
    run: (env, p) => updateOrganizationAs(env, p, { weekStartsOn: 3 }),
  },
  // Exporting is reading, packaged: the auditor may, and the request is audited like a write.
  {
    name: "request a usage export",
    allowed: orgWide,
    run: (env, p) => requestExportAs(env, p, { kind: "usage", format: "csv", filter: lastDay }),
  },
  {
    name: "request an audit export of team A",
    allowed: orgWide,
    run: (env, p, fx) =>
      requestExportAs(env, p, { kind: "audit", format: "jsonl", filter: { ...lastDay, teamId: fx.teams.a } }),
  },
  {
    name: "add a model to the catalog",
    allowed: adminsOnly,
    run: (env, p) =>
      createModelAs(env, p, {
        publicName: `m-${randomBase32(6)}`,
        servedName: "m",
        hfRepo: "acme/m",
        contextLength: 8192,
      }),
  },
  {
    name: "edit the built-in model",
    allowed: adminsOnly,
    run: (env, p, fx) =>
      updateModelAs(env, p, { modelId: fx.models.builtin, changes: { aliases: [`alias-${randomBase32(4)}`] } }),
  },
  {
    name: "create a deployment",
    allowed: adminsOnly,
    run: (env, p, fx) =>
      createDeploymentAs(env, p, {
        name: `d-${randomBase32(6)}`,
        modelId: fx.models.builtin,
        driver: "simulator",
        spec: { simulator: { startupMs: 0 } },
      }),
  },
  {
    name: "change a deployment's spec",
    allowed: adminsOnly,
    run: (env, p, fx) =>
      updateDeploymentAs(env, p, { deploymentId: fx.deployments.simulator, spec: { simulator: { startupMs: 7 } } }),
  },
  {
    name: "scale a deployment",
    allowed: adminsOnly,
    run: (env, p, fx) => scaleDeploymentAs(env, p, { deploymentId: fx.deployments.simulator, replicas: 3 }),
  },
  {
    name: "stop a deployment",
    allowed: adminsOnly,
    run: (env, p, fx) => setDeploymentStateAs(env, p, { deploymentId: fx.deployments.simulator, state: "stopped" }),
  },
  {
    name: "delete a deployment",
    allowed: adminsOnly,
    run: (env, p, fx) => deleteDeploymentAs(env, p, { deploymentId: fx.deployments.simulator }),
  },
];

const usageWindow = { startingAt: lastDay.from, bucketWidth: "1h" as const, groupBy: ["team_id" as const] };
const everyPerson: Role[] = ["admin", "auditor", "teamAdminA", "developerA", "developerB"];
const reads: { name: string; allowed: Role[]; run: Run }[] = [
  {
    name: "read team A",
    allowed: [...orgWide, "teamAdminA", "developerA"],
    run: (env, p, fx) => getTeam(env, p, { teamId: fx.teams.a }),
  },
  {
    name: "read team B",
    allowed: [...orgWide, "developerB"],
    run: (env, p, fx) => getTeam(env, p, { teamId: fx.teams.b }),
  },
  { name: "list users", allowed: orgWide, run: (env, p) => listUsers(env, p) },
  { name: "read organization settings", allowed: orgWide, run: (env, p) => getOrganization(env, p) },
  { name: "read the audit log", allowed: orgWide, run: (env, p) => listAudit(env, p, {}) },
  { name: "verify the audit chain", allowed: orgWide, run: (env, p) => verifyAudit(env, p) },
  { name: "read the organization's caps", allowed: [...roles], run: (env, p) => getLimits(env, p, { type: "org" }) },
  {
    name: "read team A's limits",
    allowed: [...orgWide, "teamAdminA", "developerA"],
    run: (env, p, fx) => getLimits(env, p, { type: "team", teamId: fx.teams.a }),
  },
  {
    name: "read developerA's member limits",
    allowed: [...orgWide, "teamAdminA", "developerA"],
    run: (env, p, fx) => getLimits(env, p, { type: "member", memberId: fx.members.developerA }),
  },
  {
    name: "read teamAdminA's member limits",
    allowed: [...orgWide, "teamAdminA"],
    run: (env, p, fx) => getLimits(env, p, { type: "member", memberId: fx.members.teamAdminA }),
  },
  {
    name: "read developerB's key limits",
    allowed: [...orgWide, "developerB"],
    run: (env, p, fx) => getLimits(env, p, { type: "key", apiKeyId: fx.keys.developerB }),
  },
  {
    name: "open the Connect page",
    allowed: everyPerson,
    run: (env, p) => getConnectInfo(env, p),
  },
  // Usage without a filter is everyone's own (the next suite checks what each role then sees).
  { name: "read usage", allowed: [...roles], run: (env, p) => getUsage(env, p, usageWindow) },
  {
    name: "read team A's usage",
    allowed: [...orgWide, "teamAdminA", "developerA"],
    run: (env, p, fx) => getUsage(env, p, { ...usageWindow, teamIds: [fx.teams.a] }),
  },
  {
    name: "read team B's usage",
    allowed: [...orgWide, "developerB"],
    run: (env, p, fx) => getUsage(env, p, { ...usageWindow, teamIds: [fx.teams.b] }),
  },
  {
    name: "read the usage of developerA's key",
    allowed: [...orgWide, "teamAdminA", "developerA"],
    run: (env, p, fx) => getUsage(env, p, { ...usageWindow, apiKeyIds: [fx.keys.developerA] }),
  },
  {
    name: "read the usage of team A's service key",
    allowed: [...orgWide, "teamAdminA"],
    run: (env, p, fx) => getUsage(env, p, { ...usageWindow, apiKeyIds: [fx.keys.serviceA] }),
  },
  {
    name: "read developerA's usage in team A",
    allowed: [...orgWide, "teamAdminA", "developerA"],
    run: (env, p, fx) => getUsage(env, p, { ...usageWindow, teamIds: [fx.teams.a], userIds: [fx.users.developerA] }),
  },
  {
    name: "read developerB's usage",
    allowed: [...orgWide, "developerB"],
    run: (env, p, fx) => getUsage(env, p, { ...usageWindow, userIds: [fx.users.developerB] }),
  },
  { name: "read the request log", allowed: [...roles], run: (env, p) => listRequests(env, p, {}) },
  {
    name: "read team B's request log",
    allowed: [...orgWide, "developerB"],
    run: (env, p, fx) => listRequests(env, p, { teamId: fx.teams.b }),
  },
  {
    name: "read the request log of developerB's key",
    allowed: [...orgWide, "developerB"],
    run: (env, p, fx) => listRequests(env, p, { apiKeyId: fx.keys.developerB }),
  },
  { name: "list exports", allowed: orgWide, run: (env, p) => listExports(env, p) },
  { name: "read an export", allowed: orgWide, run: (env, p, fx) => getExportAs(env, p, exportIds.get(fx.orgId) ?? "") },
  { name: "list models", allowed: orgWide, run: (env, p) => listModels(env, p) },
  { name: "list deployments", allowed: orgWide, run: (env, p) => listDeployments(env, p) },
  {
    name: "read a deployment",
    allowed: orgWide,
    run: (env, p, fx) => getDeploymentAs(env, p, fx.deployments.simulator),
  },
];

/** The export each read fixture holds (requested by its admin), by organization. */
const exportIds = new Map<string, string>();

function expectDenied(result: OperationResult<unknown>) {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(["FORBIDDEN", "NOT_FOUND"]).toContain(result.code);
}

describe("authorization sweep: every write as every role", () => {
  for (const write of writes) {
    for (const role of roles) {
      const allowed = write.allowed.includes(role);
      it(`${write.name} — ${role} ${allowed ? "may" : "may not"}`, async () => {
        const fx = await createWebFixture(db);
        const auditBefore = await db.auditEvent.count({ where: { orgId: fx.orgId } });
        const result = await write.run(fx.env, fx.principals[role], fx);
        const auditAfter = await db.auditEvent.count({ where: { orgId: fx.orgId } });
        if (allowed) {
          expect(result).toMatchObject({ ok: true });
          expect(auditAfter).toBeGreaterThan(auditBefore);
        } else {
          expectDenied(result);
          // Every write leaves an audit event, so an unchanged count means nothing was written.
          expect(auditAfter).toBe(auditBefore);
        }
      });
    }
  }
});

describe("authorization sweep: every read as every role", () => {
  let fx: WebFixture;
  beforeAll(async () => {
    fx = await createWebFixture(db);
    const requested = await requestExportAs(fx.env, fx.principals.admin, { kind: "usage", filter: lastDay });
    if (!requested.ok) throw new Error(requested.message);
    exportIds.set(fx.orgId, requested.value.id);
  });
  for (const read of reads) {
    for (const role of roles) {
      const allowed = read.allowed.includes(role);
      it(`${read.name} — ${role} ${allowed ? "may" : "may not"}`, async () => {
        const result = await read.run(fx.env, fx.principals[role], fx);
        if (allowed) expect(result).toMatchObject({ ok: true });
        else expectDenied(result);
      });
    }
  }
});

describe("lists show each role only its share", () => {
  let fx: WebFixture;
  beforeAll(async () => {
    fx = await createWebFixture(db);
  });

  it("teams: org-wide roles see both teams, members only theirs", async () => {
    const names = async (role: Role) => {
      const result = await listTeams(fx.env, fx.principals[role]);
      return result.ok ? result.value.map((t) => t.id).sort() : null;
    };
    const both = [fx.teams.a, fx.teams.b].sort();
    expect(await names("admin")).toEqual(both);
    expect(await names("auditor")).toEqual(both);
    expect(await names("teamAdminA")).toEqual([fx.teams.a]);
    expect(await names("developerA")).toEqual([fx.teams.a]);
    expect(await names("developerB")).toEqual([fx.teams.b]);
  });

  it("keys: team admins see their team's, developers only their own, nobody a secret or a hash", async () => {
    const ids = async (role: Role) => {
      const result = await listKeys(fx.env, fx.principals[role]);
      if (!result.ok) throw new Error(result.code);
      expect(JSON.stringify(result.value)).not.toMatch(/"hash"|sk-prm-[0-9a-z]{12}-/);
      return new Set(result.value.map((k) => k.id));
    };
    const admin = await ids("admin");
    expect(admin).toEqual(await ids("auditor"));
    expect(admin.has(fx.keys.otherAdminToken)).toBe(true);
    expect(await ids("teamAdminA")).toEqual(new Set([fx.keys.developerA, fx.keys.serviceA]));
    expect(await ids("developerA")).toEqual(new Set([fx.keys.developerA]));
    expect(await ids("developerB")).toEqual(new Set([fx.keys.developerB]));
  });

  it("the auditor's listing marks no key as manageable", async () => {
    const result = await listKeys(fx.env, fx.principals.auditor);
    expect(result.ok && result.value.every((k) => !k.canManage)).toBe(true);
  });
});
