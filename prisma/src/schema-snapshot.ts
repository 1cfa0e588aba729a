import pg from "pg";

/**
 * A comparable description of every table, column, index, constraint and enum in a database's
 * `public` schema: two databases with equal snapshots have the same structure. Names listed in
 * `ignore` (hand-written objects and Prisma's own bookkeeping) are left out.
 */
export async function snapshotSchema(databaseUrl: string, ignore: ReadonlySet<string> = new Set()): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const lines: string[] = [];
    const columns = await client.query(`
      SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
             character_maximum_length, numeric_precision, datetime_precision
      FROM information_schema.columns WHERE table_schema = 'public'`);
    for (const c of columns.rows) {
      if (ignore.has(c.table_name)) continue;
      lines.push(
        `column ${c.table_name}.${c.column_name} ${c.data_type}/${c.udt_name} null=${c.is_nullable} default=${c.column_default} len=${c.character_maximum_length} prec=${c.numeric_precision}/${c.datetime_precision}`,
      );
    }
    const indexes = await client.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    );
    for (const i of indexes.rows) {
      if (ignore.has(i.tablename) || ignore.has(i.indexname)) continue;
      lines.push(`index ${i.indexname} ${i.indexdef}`);
    }
    const constraints = await client.query(`
      SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) AS def
      FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public'`);
    for (const c of constraints.rows) {
      if (ignore.has(c.relname) || ignore.has(c.conname)) continue;
      lines.push(`constraint ${c.relname}.${c.conname} ${c.def}`);
    }
    const enums = await client.query(`
      SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`);
    for (const e of enums.rows) lines.push(`enum ${e.typname} ${e.labels}`);
    const triggers = await client.query(`
      SELECT tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT t.tgisinternal`);
    for (const t of triggers.rows) {
      if (ignore.has(t.relname) || ignore.has(t.tgname)) continue;
      lines.push(`trigger ${t.relname}.${t.tgname}`);
    }
    return lines.sort();
  } finally {
    await client.end();
  }
}

/** Lines present in one snapshot and not the other, prefixed `-` (only in `a`) or `+` (only in `b`). */
export function diffSnapshots(a: readonly string[], b: readonly string[]): string[] {
  const inA = new Set(a);
  const inB = new Set(b);
  return [
    ...a.filter((line) => !inB.has(line)).map((l) => `- ${l}`),
    ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l}`),
  ];
}
