import { Prisma } from "@perimeter/db";

/**
 * Whether `error` is Prisma's unique-constraint violation (P2002) on the named index. Verbs that
 * create a row with a unique name insert without looking first and let the index decide, so this
 * turns the loser's error, whether it raced or came late, into the verb's value result (SLUG_TAKEN…).
 */
export function isUniqueViolation(error: unknown, indexName: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") return false;
  const meta = error.meta as
    | { target?: unknown; driverAdapterError?: { cause?: { constraint?: { index?: unknown } } } }
    | undefined;
  // Through a driver adapter Prisma reports the index; its native engine used to report `target`.
  if (meta?.driverAdapterError?.cause?.constraint?.index === indexName) return true;
  return meta?.target === indexName;
}
