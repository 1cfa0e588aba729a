import { z } from "zod";

// Building blocks for the services' `env.ts` schemas. Each one validates the raw string a variable holds;
// `parseConfig` has already turned empty strings into "unset", so a default applies to `PORT=` too.
// Messages complete the sentence "<VARIABLE> …" that `parseConfig` reports.

const portMessage = "must be a port number between 0 and 65535";

/** A TCP port: 1–5 digits up to 65535, parsed to a number; `defaultPort` when unset. */
export function portVar(defaultPort: number) {
  return z
    .string()
    .regex(/^\d{1,5}$/, portMessage)
    .transform(Number)
    .refine((value) => value <= 65_535, portMessage)
    .default(defaultPort);
}

/**
 * A URL whose scheme is one of `protocols` (spelt as `URL.protocol` spells it, with the colon:
 * `"redis:"`) and which names a host; anything else fails with `message`. The value is kept as given.
 */
function urlVar(protocols: readonly string[], message: string) {
  return z.string().refine((value) => {
    try {
      const url = new URL(value);
      return protocols.includes(url.protocol) && url.hostname !== "";
    } catch {
      return false;
    }
  }, message);
}

/** A Postgres connection string (`postgres://` or `postgresql://`), as Prisma and pg accept it. */
export function postgresUrlVar() {
  return urlVar(["postgres:", "postgresql:"], "must be a postgres:// or postgresql:// URL");
}

/** A Redis connection string (`redis://`, or `rediss://` for TLS), as ioredis accepts it. */
export function redisUrlVar() {
  return urlVar(["redis:", "rediss:"], "must be a redis:// or rediss:// URL");
}

/** An `http://` or `https://` URL of a server. */
export function httpUrlVar() {
  return urlVar(["http:", "https:"], "must be an http:// or https:// URL");
}

/**
 * A secret of at least `minLength` characters. The schema carries the mark `isSecretVar` reads
 * (`.meta({ secret: true })`), so `parseConfig` reports only the length of a bad value, also when it is
 * wrapped in `.optional()`, `.nullable()` or `.default()`.
 */
export function secretVar(minLength: number) {
  return z.string().min(minLength, `must be at least ${minLength} characters`).meta({ secret: true });
}

/**
 * True for a schema built by `secretVar`, bare or inside optional/nullable/default wrappers (which are
 * new schemas without the mark): its value must never be echoed, even in an error message.
 */
export function isSecretVar(schema: z.ZodType | undefined): boolean {
  for (let current = schema; current; ) {
    if (current.meta()?.secret === true) return true;
    current =
      current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault
        ? (current.unwrap() as z.ZodType)
        : undefined;
  }
  return false;
}
