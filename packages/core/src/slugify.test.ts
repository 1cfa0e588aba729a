import { describe, expect, it } from "vitest";
import { slugify, slugSchema } from "./slugify.ts";

describe("slugify", () => {
  it.each([
    ["Payments", "payments"],
    ["Équipe Paiements!", "equipe-paiements"],
    ["  ML / Platform -- Team  ", "ml-platform-team"],
    ["日本", ""],
    ["a".repeat(70), "a".repeat(63)],
    [`${"a".repeat(62)} b`, "a".repeat(62)],
  ])("%s → %s", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it("always yields a valid slug or nothing", () => {
    for (const name of ["x", "Default", "Team 42", "--a--b--", "Ünïcödé Straße"]) {
      const slug = slugify(name);
      if (slug !== "") expect(slugSchema.safeParse(slug).success).toBe(true);
    }
  });

  it("slugSchema rejects what URLs and humans trip over", () => {
    for (const bad of ["", "Upper", "two--dashes", "-lead", "trail-", "sp ace", "a".repeat(64)]) {
      expect(slugSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});
