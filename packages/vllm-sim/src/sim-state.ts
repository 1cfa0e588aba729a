import { z } from "zod";
import {
  fillTurn,
  matchRule,
  type ParsedSimRule,
  type ParsedSimTurn,
  type RuleFacts,
  type SimRule,
  type SimScript,
  type SimTurn,
  simRuleSchema,
  simScriptSchema,
  simTurnSchema,
} from "./sim-script.ts";
import type { ReasoningNote } from "./validate-chat-request.ts";

/** One request as the simulator received it, for tests to inspect. */
export interface SimRecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, the raw text if it was not JSON, or null when there was none. */
  body: unknown;
  receivedAtMs: number;
  /** Reasoning found on assistant messages of a chat completion (which field was read, which ignored). */
  reasoning?: ReasoningNote[];
}

/** A bad script, turn or rule: the first problem, with its path. */
export class SimScriptError extends Error {}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SimScriptError(`${what}${issue?.path.length ? `.${issue.path.join(".")}` : ""}: ${issue?.message}`);
}

/** Validates a script from a file or an admin call; throws `SimScriptError` naming the bad field. */
export function parseSimScript(value: unknown): { rules: ParsedSimRule[]; turns: ParsedSimTurn[] } {
  return parseOrThrow(simScriptSchema, value, "script");
}

/** The behaviour queue, the rules and the request log of one simulator. */
export class SimState {
  private turns: ParsedSimTurn[] = [];
  private rules: Array<{ rule: ParsedSimRule; left: number }> = [];
  private log: SimRecordedRequest[] = [];

  enqueue(turns: SimTurn[]): void {
    this.turns.push(...parseOrThrow(z.array(simTurnSchema), turns, "turns"));
  }

  setRules(rules: SimRule[]): void {
    this.rules = parseOrThrow(z.array(simRuleSchema), rules, "rules").map((rule) => ({
      rule,
      left: rule.times ?? Number.POSITIVE_INFINITY,
    }));
  }

  load(script: SimScript): void {
    const parsed = parseSimScript(script);
    this.turns.push(...parsed.turns);
    this.rules = parsed.rules.map((rule) => ({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }));
  }

  /** The next queued turn, else the first rule that matches and has uses left, else undefined. */
  nextTurn(facts: RuleFacts): ParsedSimTurn | undefined {
    const queued = this.turns.shift();
    if (queued) return queued;
    for (const entry of this.rules) {
      if (entry.left <= 0) continue;
      const captures = matchRule(entry.rule, facts);
      if (!captures) continue;
      entry.left -= 1;
      return fillTurn(entry.rule.turn, captures);
    }
    return undefined;
  }

  record(request: SimRecordedRequest): void {
    this.log.push(request);
  }

  requests(): SimRecordedRequest[] {
    return [...this.log];
  }

  clearRequests(): void {
    this.log = [];
  }

  reset(): void {
    this.turns = [];
    this.rules = [];
    this.log = [];
  }
}
