import { z } from "zod";

/** An email address as users are stored: trimmed and lower-cased, so sign-in is case-insensitive. */
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email().max(254));
