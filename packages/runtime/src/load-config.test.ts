import { describe, expect, it } from "vitest";
import { z } from "zod";
import { portVar, postgresUrlVar, secretVar } from "./env-schema.ts";
import { parseConfig } from "./load-config.ts";

const schema = z.object({
  APP_PORT: portVar(4000),
  DATABASE_URL: postgresUrlVar(),
  APP_SECRET: secretVar(32),
});

const valid = { DATABASE_URL: "postgres://app@db/app", APP_SECRET: "s".repeat(32) };

function failure(env: Record<string, string>): string {
  const result = parseConfig(schema, env);
  if (result.ok) throw new Error("expected a config error");
  return result.message;
}

describe("parseConfig", () => {
  it("reads only the schema's variables and applies defaults to unset and empty ones", () => {
    expect(parseConfig(schema, { ...valid, APP_PORT: "", UNRELATED: "x" })).toEqual({
      ok: true,
      config: { APP_PORT: 4000, ...valid },
    });
  });

  it("reports one problem per variable, in schema order, on one line", () => {
    expect(failure({ APP_PORT: "x", APP_SECRET: "" })).toBe(
      'APP_PORT must be a port number between 0 and 65535 (got "x"); DATABASE_URL is required; APP_SECRET is required',
    );
  });

  it("shows only the length of a secret and masks URL passwords", () => {
    expect(failure({ DATABASE_URL: "mysql://app:pa55@db/x", APP_SECRET: "hunter2" })).toBe(
      'DATABASE_URL must be a postgres:// or postgresql:// URL (got "mysql://app:***@db/x"); ' +
        "APP_SECRET must be at least 32 characters (got 7 characters)",
    );
  });

  it("keeps a secret hidden when it is optional or has a default", () => {
    const wrapped = z.object({ A: secretVar(32).optional(), B: secretVar(32).default("d".repeat(32)) });
    const result = parseConfig(wrapped, { A: "hunter2", B: "swordfish" });
    expect(result).toEqual({
      ok: false,
      message:
        "A must be at least 32 characters (got 7 characters); B must be at least 32 characters (got 9 characters)",
    });
  });

  it("cuts long values short", () => {
    expect(failure({ ...valid, DATABASE_URL: "x".repeat(150) })).toBe(
      `DATABASE_URL must be a postgres:// or postgresql:// URL (got "${"x".repeat(100)}…")`,
    );
  });
});
