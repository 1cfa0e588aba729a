import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type AuditHashInput, canonicalJson, computeAuditHash, genesisPrevHash } from "./audit-hash.ts";

describe("canonicalJson", () => {
  it("sorts keys recursively, keeps array order and has no whitespace", () => {
    expect(canonicalJson({ b: 'é"\n', a: [3, { y: null, x: true }] })).toBe(
      '{"a":[3,{"x":true,"y":null}],"b":"é\\"\\n"}',
    );
  });

  it("gives the same text whatever the key order", () => {
    expect(canonicalJson({ z: 1, a: { d: [1, 2], c: "x" } })).toBe(canonicalJson({ a: { c: "x", d: [1, 2] }, z: 1 }));
  });

  it("sorts by code unit, as JSON canonicalisation (RFC 8785) does", () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, é: 4, "1": 5 })).toBe('{"1":5,"B":2,"a":3,"b":1,"é":4}');
  });

  it("drops undefined members but refuses values JSON cannot hold exactly", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, new Date(0), 1n, { nested: new Map() }, () => 1]) {
      expect(() => canonicalJson(bad)).toThrow(TypeError);
    }
  });
});

describe("computeAuditHash", () => {
  const event: AuditHashInput = {
    orgId: "org_test",
    seq: 7n,
    occurredAt: new Date("2026-01-02T03:04:05.678Z"),
    actorType: "user",
    actorId: "usr_1",
    actorLabel: "a@b.c",
    action: "team.create",
    targetType: "team",
    targetId: "team_1",
    teamId: "team_1",
    before: null,
    after: { slug: "payments", name: "Payments", n: 1 },
    ip: "10.0.0.1",
    userAgent: "ua",
    requestId: null,
    prevHash: genesisPrevHash,
  };

  it("is sha256 over the documented canonical form (golden value from sha256sum)", () => {
    const expectedText =
      '{"action":"team.create","actorId":"usr_1","actorLabel":"a@b.c","actorType":"user",' +
      '"after":{"n":1,"name":"Payments","slug":"payments"},"before":null,"ip":"10.0.0.1",' +
      `"occurredAt":"2026-01-02T03:04:05.678Z","orgId":"org_test","prevHash":"${"0".repeat(64)}",` +
      '"requestId":null,"seq":"7","targetId":"team_1","targetType":"team","teamId":"team_1","userAgent":"ua"}';
    expect(createHash("sha256").update(expectedText).digest("hex")).toBe(
      "e5b22281eeefcf90264f726511e70bd7a3344967549fb19d1cc3d93e9d9735c9",
    );
    expect(computeAuditHash(event)).toBe("e5b22281eeefcf90264f726511e70bd7a3344967549fb19d1cc3d93e9d9735c9");
  });

  it("changes when any covered field changes", () => {
    const base = computeAuditHash(event);
    const variants: Partial<AuditHashInput>[] = [
      { orgId: "org_other" },
      { seq: 8n },
      { occurredAt: new Date("2026-01-02T03:04:05.679Z") },
      { actorType: "system" },
      { actorId: null },
      { actorLabel: "b@b.c" },
      { action: "team.delete" },
      { targetType: "user" },
      { targetId: "team_2" },
      { teamId: null },
      { before: {} },
      { after: { slug: "payments", name: "Payments", n: 2 } },
      { ip: null },
      { userAgent: "other" },
      { requestId: "req_1" },
      { prevHash: "f".repeat(64) },
    ];
    const hashes = variants.map((variant) => computeAuditHash({ ...event, ...variant }));
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
  });

  it("does not depend on the key order of before/after", () => {
    expect(computeAuditHash({ ...event, after: { n: 1, name: "Payments", slug: "payments" } })).toBe(
      computeAuditHash(event),
    );
  });
});
