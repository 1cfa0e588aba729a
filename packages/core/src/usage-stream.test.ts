import { newId } from "@perimeter/db";
import { describe, expect, it } from "vitest";
import {
  decodeUsageEvent,
  defaultUsageStreamKeys,
  encodeUsageEvent,
  type UsageEventMessageInput,
  usageStreamKeys,
} from "./usage-stream.ts";

const minimal: UsageEventMessageInput = {
  requestId: newId("request"),
  orgId: "org_1",
  model: "umans-coder-v0",
  status: 200,
  startedAt: new Date("2026-03-01T10:00:00.000Z"),
  eventTime: "2026-03-01T11:00:01.250+01:00",
};

function encodedWith(payload: unknown): string[] {
  return ["v", "1", "e", JSON.stringify(payload)];
}

describe("usage stream keys", () => {
  it("puts both keys in one Cluster slot under the namespace", () => {
    expect(defaultUsageStreamKeys).toEqual({
      stream: "perimeter:{usage}:events",
      deadLetter: "perimeter:{usage}:dead-letter",
    });
    expect(usageStreamKeys("t-1").stream).toBe("t-1:{usage}:events");
  });
});

describe("encodeUsageEvent / decodeUsageEvent", () => {
  it("round-trips an event, filling defaults and normalising times to UTC ISO-8601", () => {
    const decoded = decodeUsageEvent(encodeUsageEvent(minimal));
    expect(decoded).toEqual({
      ok: true,
      event: {
        requestId: minimal.requestId,
        orgId: "org_1",
        apiKeyId: null,
        teamId: null,
        userId: null,
        sessionId: null,
        agentId: null,
        model: "umans-coder-v0",
        servedModel: null,
        deploymentId: null,
        replicaId: null,
        endpoint: "messages",
        stream: false,
        inputTokens: 0,
        cacheReadInputTokens: 0,
        outputTokens: 0,
        reasoningTokens: 0,
        latencyMs: 0,
        timeToFirstTokenMs: null,
        status: 200,
        errorType: null,
        stopReason: null,
        limitDecision: null,
        clientAbort: false,
        userAgent: null,
        startedAt: "2026-03-01T10:00:00.000Z",
        eventTime: "2026-03-01T10:00:01.250Z",
      },
    });
  });

  it("keeps every field it is given and drops fields it does not know", () => {
    const full = {
      ...minimal,
      apiKeyId: "key_1",
      teamId: "team_1",
      userId: "usr_1",
      sessionId: "3f1c",
      agentId: "claude-code",
      servedModel: "deepseek-v3.2",
      deploymentId: "dep_1",
      replicaId: "rep_1",
      endpoint: "count_tokens",
      stream: true,
      inputTokens: 12,
      cacheReadInputTokens: 3400,
      outputTokens: 56,
      reasoningTokens: 7,
      latencyMs: 890,
      timeToFirstTokenMs: 120,
      status: 429,
      errorType: "rate_limit_error",
      stopReason: "end_turn",
      limitDecision: "team.requests_per_minute",
      clientAbort: true,
      userAgent: "claude-cli/2.0.1",
      fromTheFuture: 1,
    };
    const decoded = decodeUsageEvent(encodedWith(full));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const { fromTheFuture: _, startedAt: __, eventTime: ___, ...rest } = full;
    expect(decoded.event).toMatchObject(rest);
    expect(decoded.event).not.toHaveProperty("fromTheFuture");
  });

  it("reads the fields in any order", () => {
    const [, , , json] = encodeUsageEvent(minimal);
    expect(decodeUsageEvent(["e", json, "v", "1"]).ok).toBe(true);
  });

  it.each([
    ["an unknown version", ["v", "2", "e", "{}"], "UNKNOWN_VERSION"],
    ["no version", ["e", "{}"], "UNKNOWN_VERSION"],
    ["no payload", ["v", "1"], "MISSING_PAYLOAD"],
    ["broken JSON", ["v", "1", "e", "{not json"], "MALFORMED_JSON"],
    ["a JSON array", ["v", "1", "e", "[]"], "INVALID_EVENT"],
  ])("returns a code instead of throwing for %s", (_, fields, code) => {
    expect(decodeUsageEvent(fields)).toMatchObject({ ok: false, code });
  });

  it.each([
    ["a request id that is not req_…", { requestId: "abc" }, "requestId"],
    ["a negative token count", { outputTokens: -1 }, "outputTokens"],
    ["a count past the integer column", { inputTokens: 2 ** 31 }, "inputTokens"],
    ["a fractional count", { latencyMs: 1.5 }, "latencyMs"],
    ["a NUL character Postgres cannot store", { userAgent: "a\u0000b" }, "userAgent"],
    ["a status outside HTTP", { status: 42 }, "status"],
    ["an unparseable time", { eventTime: "yesterday" }, "eventTime"],
    ["a time without an offset", { startedAt: "2026-03-01T10:00:00" }, "startedAt"],
    ["a missing model", { model: undefined }, "model"],
  ])("names the field of %s", (_, change, field) => {
    const decoded = decodeUsageEvent(encodedWith({ ...minimal, ...change }));
    expect(decoded).toMatchObject({ ok: false, code: "INVALID_EVENT" });
    if (!decoded.ok) expect(decoded.message).toContain(`${field}:`);
  });
});
