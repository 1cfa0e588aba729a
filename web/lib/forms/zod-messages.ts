import { z } from "zod";

type Issue = Parameters<NonNullable<z.core.$ZodConfig["customError"]>>[0];

/**
 * Messages for zod's issues in words a form can show next to a field ("must be at least 1"), instead
 * of zod's developer-facing defaults ("Too small: expected number to be >=1"). Schemas that set their
 * own message keep it. Installed once for the web process by `installFieldMessages`.
 */
export function fieldMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined || issue.input === null || issue.input === "") return "required";
      if (issue.expected === "number" || issue.expected === "int") return "must be a whole number";
      if (issue.expected === "array") return "must be a list";
      return `must be a ${issue.expected}`;
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1 ? "required" : `must be at least ${issue.minimum} characters`;
      if (issue.origin === "array") return `needs at least ${issue.minimum} entries`;
      return `must be at least ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      if (issue.origin === "array") return `at most ${issue.maximum} entries`;
      return `must be at most ${Number(issue.maximum).toLocaleString("en-US")}`;
    case "invalid_format":
      if (issue.format === "email") return "must be an email address";
      if (issue.format === "datetime") return "must be a date and time";
      return undefined;
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join(", ")}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
    default:
      return undefined;
  }
}

let installed = false;

/** Makes `fieldMessage` zod's message source for this process (idempotent). */
export function installFieldMessages(): void {
  if (installed) return;
  installed = true;
  z.config({ customError: fieldMessage });
}
