import { z } from "zod";

function canonicalTimeZone(timeZone: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** An IANA time zone, turned into its canonical spelling (`utc` → `UTC`); an unknown zone is an issue. */
export const timeZoneSchema = z.string().transform((zone, check) => {
  const canonical = canonicalTimeZone(zone);
  if (canonical === null) {
    check.addIssue({ code: "custom", message: `unknown IANA time zone "${zone}"` });
    return z.NEVER;
  }
  return canonical;
});
