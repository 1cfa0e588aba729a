/**
 * The SQLSTATE of a failed Prisma raw query run through the node-postgres driver adapter, or undefined
 * for anything else (a lost connection, a timeout in the pool).
 */
function postgresErrorCode(error: unknown): string | undefined {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta
    ?.driverAdapterError?.cause;
  return typeof cause?.originalCode === "string" ? cause.originalCode : undefined;
}

/**
 * Whether the database refused the data itself (SQLSTATE class 22 "data exception" or 23 "integrity
 * constraint violation"): retrying the same rows can never succeed, unlike a lost connection.
 */
export function isDataError(error: unknown): boolean {
  const code = postgresErrorCode(error);
  return code !== undefined && (code.startsWith("22") || code.startsWith("23"));
}
