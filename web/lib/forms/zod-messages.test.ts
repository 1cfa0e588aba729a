import { createTeamInputSchema, limitsSchema } from "@perimeter/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldErrors } from "../operations/operation-result";

describe("field messages", () => {
  it("speak the form's language for the usual mistakes", () => {
    const messages = (schema: z.ZodType, input: unknown) => {
      const result = schema.safeParse(input);
      return result.success ? {} : fieldErrors(result.error);
    };
    expect(messages(createTeamInputSchema, { name: "" })).toEqual({ name: "required" });
    expect(messages(createTeamInputSchema, { name: "x", colour: "red" })).toEqual({ _: "unknown field: colour" });
    expect(messages(limitsSchema, { requestsPerMinute: -5, maxTokensCap: "lots", thinkingPolicy: "maybe" })).toEqual({
      requestsPerMinute: "must be at least 0",
      maxTokensCap: "must be a whole number",
      thinkingPolicy: "must be one of client, force_on, force_off",
    });
    expect(messages(z.object({ email: z.email() }), { email: "nope" })).toEqual({ email: "must be an email address" });
    // A schema's own message wins.
    expect(messages(z.object({ a: z.string().min(3, "too short, sorry") }), { a: "x" })).toEqual({
      a: "too short, sorry",
    });
  });
});
