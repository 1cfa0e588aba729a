import pg from "pg";

/**
 * Runs one SQL text (several statements allowed when it has no parameters) on a connection of its
 * own, closed afterwards whatever happens. For administration and tests, where a pool would outlive
 * its use; application code goes through `createDb`.
 */
export async function queryOnce<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  databaseUrl: string,
  sql: string,
  params?: unknown[],
): Promise<pg.QueryResult<Row>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await client.query<Row>(sql, params);
  } finally {
    await client.end();
  }
}
