import { createDb, randomBase32 } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createOrganization } from "./create-organization.ts";
import { verifyAuditChain } from "./verify-audit-chain.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("createOrganization", () => {
  it("derives the slug, canonicalises the time zone and opens the audit chain with org.create", async () => {
    const suffix = randomBase32(8);
    const result = await createOrganization(db, { name: `Acme Corp ${suffix}`, timeZone: "europe/paris" });
    if (!result.ok) throw new Error(result.code);
    expect(result.org).toMatchObject({ slug: `acme-corp-${suffix}`, timeZone: "Europe/Paris" });

    const events = await db.auditEvent.findMany({ where: { orgId: result.org.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      seq: 1n,
      action: "org.create",
      actorType: "system",
      actorId: null,
      targetType: "organization",
      targetId: result.org.id,
      prevHash: "0".repeat(64),
    });
    expect(await verifyAuditChain(db, result.org.id)).toEqual({ ok: true, count: 1, headHash: events[0]?.hash });
  });

  it("defaults the time zone to UTC", async () => {
    const result = await createOrganization(db, { name: `Plain ${randomBase32(8)}` });
    expect(result.ok && result.org.timeZone).toBe("UTC");
  });

  it("returns SLUG_TAKEN for a slug in use and creates nothing", async () => {
    const slug = `taken-${randomBase32(8)}`;
    expect((await createOrganization(db, { name: "First", slug })).ok).toBe(true);
    expect(await createOrganization(db, { name: "Second", slug })).toEqual({ ok: false, code: "SLUG_TAKEN" });
    expect(await db.organization.count({ where: { slug } })).toBe(1);
  });

  it("gives exactly one winner when two creations race for a slug", async () => {
    const slug = `race-${randomBase32(8)}`;
    const results = await Promise.all([
      createOrganization(db, { name: "A", slug }),
      createOrganization(db, { name: "B", slug }),
      createOrganization(db, { name: "C", slug }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, code: "SLUG_TAKEN" },
      { ok: false, code: "SLUG_TAKEN" },
    ]);
  });

  it("throws on invalid input", async () => {
    await expect(createOrganization(db, { name: "   " })).rejects.toThrow(ZodError);
    await expect(createOrganization(db, { name: "X", timeZone: "Mars/Olympus" })).rejects.toThrow(/time zone/);
    await expect(createOrganization(db, { name: "X", slug: "Not A Slug" })).rejects.toThrow(ZodError);
  });
});
