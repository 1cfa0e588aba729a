// Export with bounded memory: BENCH_ROWS usage events (default 1,000,000) generated in a scratch
// database, exported to CSV by the worker's export job, the file re-hashed and compared with the
// manifest. Prints rows, seconds, rows/s, file size and the process's peak RSS.
//   npm run bench:export -w @perimeter/worker
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createOrganization, type ExportFormat, requestExport } from "@perimeter/core";
import { createDb } from "@perimeter/db";
import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase } from "@perimeter/db/scratch-database";
import { runExport, workerActor } from "../src/exports/run-export.ts";
import { loadBenchConfig, withPeakRss } from "./bench-env.ts";

const config = loadBenchConfig("BENCH_ROWS", 1_000_000);
const total = config.BENCH_ROWS as number;
const format: ExportFormat = process.argv.includes("--jsonl") ? "jsonl" : "csv";
const scratch = await createScratchDatabase(config.DATABASE_URL, "perimeter_bench_export");
const exportDir = await mkdtemp(path.join(tmpdir(), "perimeter-bench-export-"));
try {
  await migrate(scratch.url);
  const db = createDb(scratch.url, { maxConnections: 4 });
  const created = await createOrganization(db, { name: "Bench" });
  if (!created.ok) throw new Error(created.code);
  const orgId = created.org.id;

  const generateStarted = performance.now();
  await db.$executeRaw`
    INSERT INTO usage_events (request_id, org_id, api_key_id, team_id, user_id, session_id, agent_id, model,
      served_model, stream, input_tokens, cache_read_input_tokens, output_tokens, reasoning_tokens, latency_ms,
      time_to_first_token_ms, status, stop_reason, limit_decision, user_agent, started_at, event_time)
    SELECT 'req_' || lpad(to_hex(i), 26, '0'), ${orgId}, 'key_' || (i % 50), 'team_' || (i % 10), 'usr_' || (i % 200),
      'session-' || (i % 1000), 'claude-code', 'umans-coder-v0', 'deepseek-v3.2', true, 1200, 40000, 350, 80, 4200,
      380, CASE WHEN i % 50 = 0 THEN 429 ELSE 200 END, 'end_turn', 'admitted', 'claude-cli/2.0.14 (external, cli)',
      timestamptz '2026-01-01' + i * interval '2 seconds' - interval '4 seconds',
      timestamptz '2026-01-01' + i * interval '2 seconds'
    FROM generate_series(1, ${total}) AS i`;
  await db.$executeRawUnsafe("ANALYZE usage_events");
  console.log(`generated ${total} usage rows in ${((performance.now() - generateStarted) / 1000).toFixed(1)} s`);

  const ctx = { db, orgId, actor: workerActor, keyPepper: new Uint8Array(32) };
  const parked = { add: async () => undefined };
  const requested = await requestExport(
    ctx,
    { kind: "usage_events", format, filter: { from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z" } },
    parked,
  );
  const rssBeforeMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const started = performance.now();
  let lastReport = started;
  const { result, peakRssMb } = await withPeakRss(() =>
    runExport(
      { db, exportDir },
      { exportId: requested.export.id, orgId },
      {
        onProgress: async (rows) => {
          if (performance.now() - lastReport > 5_000) {
            lastReport = performance.now();
            console.log(`  … ${rows} of ${total} rows written`);
          }
        },
      },
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== "succeeded") throw new Error(`export ${result.status}: ${result.reason}`);
  const { manifest } = result;

  const rehash = createHash("sha256");
  for await (const chunk of createReadStream(path.join(exportDir, manifest.file))) rehash.update(chunk as Buffer);
  const fileSha256 = rehash.digest("hex");
  await db.$disconnect();

  console.log(
    `exported ${manifest.rowCount} rows (${format}) in ${seconds.toFixed(2)} s: ${Math.round(manifest.rowCount / seconds)} rows/s, ${(manifest.bytes / 1024 / 1024).toFixed(1)} MiB`,
  );
  console.log(`peak RSS ${peakRssMb} MiB (${rssBeforeMb} MiB before the export started)`);
  console.log(
    `manifest sha256 ${manifest.sha256} ${fileSha256 === manifest.sha256 ? "matches" : "DOES NOT MATCH"} the file`,
  );
  if (manifest.rowCount !== total || fileSha256 !== manifest.sha256) process.exitCode = 1;
} finally {
  await rm(exportDir, { recursive: true, force: true });
  await scratch.drop();
}
