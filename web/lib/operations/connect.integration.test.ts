import { createDb } from "@perimeter/db";
import { closedPort } from "@perimeter/runtime/testing";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createWebFixture } from "../testing/web-fixture";
import { getConnectInfo, testConnection } from "./connect";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("Connect", () => {
  it("tests only the principal's own keys, and reports an unreachable gateway as a failed test", async () => {
    const fx = await createWebFixture(db);
    const gateway = `http://127.0.0.1:${await closedPort()}`;
    const other = await testConnection(fx.env, fx.principals.developerB, { key: fx.secrets.developerA }, gateway);
    expect(other).toMatchObject({ ok: false, code: "INVALID", fields: { key: "this is not one of your keys" } });
    const junk = await testConnection(fx.env, fx.principals.developerA, { key: "sk-ant-nope" }, gateway);
    expect(junk).toMatchObject({ ok: false, fields: { key: "this is not a Perimeter key (sk-prm-…)" } });
    const token = await testConnection(fx.env, fx.principals.apiToken, { key: fx.secrets.developerA }, gateway);
    expect(token).toMatchObject({ ok: false, code: "FORBIDDEN" });
    const own = await testConnection(fx.env, fx.principals.developerA, { key: fx.secrets.developerA }, gateway);
    expect(own).toMatchObject({ ok: true, value: { passed: false, errorType: "connection_error" } });
  });

  it("shows a developer their own keys and the limits that bind the newest one", async () => {
    const fx = await createWebFixture(db);
    const info = await getConnectInfo(fx.env, fx.principals.developerA);
    if (!info.ok) throw new Error(info.code);
    expect(info.value.teams.map((t) => t.teamId)).toEqual([fx.teams.a]);
    expect(info.value.keys.map((k) => k.id)).toEqual([fx.keys.developerA]);
    expect(info.value.quota).toMatchObject({ keyId: fx.keys.developerA, levels: ["org", "team", "member", "key"] });
  });
});
