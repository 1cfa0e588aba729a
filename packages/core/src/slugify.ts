import { z } from "zod";

const maxSlugLength = 63;

/** A URL-safe identifier: lower-case letters and digits in dash-separated words, at most 63 characters. */
export const slugSchema = z
  .string()
  .max(maxSlugLength)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "lower-case letters and digits separated by single dashes");

/**
 * Turns a display name into a slug (`"Équipe Paiements!"` → `"equipe-paiements"`); accents are folded
 * and everything else outside a–z/0–9 becomes a dash. Returns `""` when nothing usable remains, so the
 * caller picks its own fallback.
 */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, maxSlugLength)
    .replace(/-+$/, "");
}
