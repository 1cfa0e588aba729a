import type { Principal } from "./principal";

/**
 * What an action is about, as far as rights go: the team it belongs to and the person who owns it
 * (a key's owner, a member's user). Always read from the database, never taken from the request.
 */
export interface Resource {
  teamId?: string | null;
  ownerUserId?: string | null;
}

type Rule = (principal: Principal, resource: Resource) => boolean;

const admin: Rule = (p) => p.orgRole === "admin";
/** Admins and auditors see the whole organization; auditors only ever read. */
const orgWide: Rule = (p) => p.orgRole === "admin" || p.orgRole === "auditor";
const memberOf: Rule = (p, r) => typeof r.teamId === "string" && p.teamRoles.has(r.teamId);
const teamAdminOf: Rule = (p, r) => typeof r.teamId === "string" && p.teamRoles.get(r.teamId) === "team_admin";
const owner: Rule = (p, r) => p.userId !== null && typeof r.ownerUserId === "string" && r.ownerUserId === p.userId;
const any =
  (...rules: Rule[]): Rule =>
  (p, r) =>
    rules.some((rule) => rule(p, r));
const all =
  (...rules: Rule[]): Rule =>
  (p, r) =>
    rules.every((rule) => rule(p, r));

/**
 * The one table of rights. Every page, server action and API route asks `can` (through the operations
 * in `lib/operations/`), so this table is the whole authorization policy:
 * - admin: everything in the organization;
 * - auditor: reads everything (never secrets or hashes, which no read returns), writes nothing;
 * - team_admin: their teams' members, keys, limits (within the organization's caps) and vision policies;
 * - developer: their own keys in teams they belong to, their teams' limits, the Connect page.
 * Usage: admins and auditors the whole organization, team admins their teams, everyone their own keys'.
 * Exports (usage or audit, packaged by the worker) are requested and read by admins and auditors: the
 * one thing an auditor starts, since an export is a read. Models and deployments: admins change them,
 * auditors read them. API tokens act as admins.
 */
export const rights = {
  "org.read": orgWide,
  "org.update": admin,
  "users.read": orgWide,
  "users.invite": admin,
  "users.update": admin,
  "teams.create": admin,
  "teams.read.all": orgWide,
  "team.read": any(orgWide, memberOf),
  "members.manage": any(admin, teamAdminOf),
  "keys.read": any(orgWide, teamAdminOf, owner),
  "keys.read.all": orgWide,
  "keys.create": any(admin, teamAdminOf, all(memberOf, owner)),
  "keys.manage": any(admin, teamAdminOf, all(memberOf, owner)),
  "tokens.manage": admin,
  "limits.read": any(
    orgWide,
    teamAdminOf,
    all(memberOf, (p, r) => r.ownerUserId == null || owner(p, r)),
  ),
  // Everyone may know the organization-wide caps that bind them.
  "limits.read.org": () => true,
  "limits.set": any(admin, teamAdminOf),
  "limits.set.key": any(admin, teamAdminOf, all(memberOf, owner)),
  "limits.set.org": admin,
  // What happens to a team's images sent to a text-only model: seen by its members, set like its limits.
  "vision.read": any(orgWide, memberOf),
  "vision.set": any(admin, teamAdminOf),
  "audit.read": orgWide,
  "connect.use": (p) => p.kind === "user",
  "usage.read.all": orgWide,
  "usage.read.team": any(orgWide, teamAdminOf),
  // A signed-in person's own keys (the usage events' user); API tokens are org-wide anyway.
  "usage.read.own": (p) => p.kind === "user" && p.userId !== null,
  "exports.request": orgWide,
  "exports.read": orgWide,
  "models.read": orgWide,
  "models.manage": admin,
  "deployments.read": orgWide,
  "deployments.manage": admin,
} satisfies Record<string, Rule>;

export type Right = keyof typeof rights;

/** Whether `principal` holds `right` on `resource`. */
export function can(principal: Principal, right: Right, resource: Resource = {}): boolean {
  return rights[right](principal, resource);
}
