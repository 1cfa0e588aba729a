import { describe, expect, it } from "vitest";
import { checkReadiness } from "./readiness.ts";

describe("checkReadiness", () => {
  it("is ready when every check resolves", async () => {
    const report = await checkReadiness([{ name: "a", run: async () => {} }], 100);
    expect(report).toEqual({ ready: true, checks: { a: "ok" }, errors: {} });
  });

  it("reports a rejected check as error, with the reason kept for the logs", async () => {
    const report = await checkReadiness(
      [
        { name: "a", run: async () => {} },
        { name: "b", run: () => Promise.reject(new Error("boom", { cause: new Error("ECONNREFUSED") })) },
      ],
      100,
    );
    expect(report).toEqual({ ready: false, checks: { a: "ok", b: "error" }, errors: { b: "boom: ECONNREFUSED" } });
  });

  it("gives up on a check that never answers and aborts its signal", async () => {
    let aborted = false;
    const report = await checkReadiness(
      [
        {
          name: "slow",
          run: (signal) =>
            new Promise(() => {
              signal.addEventListener("abort", () => {
                aborted = true;
              });
            }),
        },
      ],
      50,
    );
    expect(report.checks).toEqual({ slow: "timeout" });
    expect(aborted).toBe(true);
  });
});
