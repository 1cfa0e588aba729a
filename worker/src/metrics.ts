import { errorMessage, type Logger } from "@perimeter/runtime";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** How long one scrape-time probe (a queue's counts, the stream's backlog) may take before it is skipped. */
const probeTimeoutMs = 2_000;

/**
 * The worker's Prometheus metrics, one registry per process (built in the composition root, never a
 * module-level default registry). Counters and histograms are updated where the work happens; gauges
 * that describe Redis or Postgres state are refreshed by probes at scrape time, each bounded by a
 * timeout so a slow dependency leaves its gauges stale instead of failing the whole scrape.
 */
export interface WorkerMetrics {
  registry: Registry;
  usageEventsIngested: Counter;
  usageDuplicatesSkipped: Counter;
  usageDeadLettered: Counter<"code">;
  usageBatchFailures: Counter;
  usageEntriesClaimed: Counter;
  jobDuration: Histogram<"queue" | "job" | "outcome">;
  jobFailures: Counter<"queue" | "job">;
  queueJobs: Gauge<"queue" | "state">;
  usageStreamBacklog: Gauge;
  usageStreamPending: Gauge;
  usageDeadLetters: Gauge;
  usageIngestionLagSeconds: Gauge;
  usageRollupLagSeconds: Gauge;
  auditChainBrokenOrgs: Gauge;
  /** Registers a probe run before every scrape; it sets gauges from the state it reads. */
  addProbe(name: string, probe: () => Promise<void>): void;
  removeProbe(name: string): void;
  /** Runs the probes, then renders the Prometheus text exposition. */
  render(): Promise<string>;
}

export function createWorkerMetrics(log: Logger): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "perimeter_worker_" });
  const registers = [registry];
  const probes = new Map<string, () => Promise<void>>();

  const runProbe = async (name: string, probe: () => Promise<void>) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${probeTimeoutMs} ms`)), probeTimeoutMs);
    });
    try {
      await Promise.race([probe(), timeout]);
    } catch (error) {
      log.warn("metrics probe failed", { probe: name, error: errorMessage(error) });
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    registry,
    usageEventsIngested: new Counter({
      name: "perimeter_usage_events_ingested_total",
      help: "Usage events inserted into Postgres (duplicates not counted).",
      registers,
    }),
    usageDuplicatesSkipped: new Counter({
      name: "perimeter_usage_duplicates_skipped_total",
      help: "Usage entries whose request id was already stored (redeliveries, gateway retries).",
      registers,
    }),
    usageDeadLettered: new Counter({
      name: "perimeter_usage_dead_lettered_total",
      help: "Usage entries moved to the dead-letter list, by reason.",
      labelNames: ["code"],
      registers,
    }),
    usageBatchFailures: new Counter({
      name: "perimeter_usage_batch_failures_total",
      help: "Ingestion batches that failed and were retried (Postgres or Redis unavailable).",
      registers,
    }),
    usageEntriesClaimed: new Counter({
      name: "perimeter_usage_entries_claimed_total",
      help: "Pending entries taken over from consumers that stopped before acknowledging them.",
      registers,
    }),
    jobDuration: new Histogram({
      name: "perimeter_worker_job_duration_seconds",
      help: "Duration of BullMQ jobs by queue, job name and outcome.",
      labelNames: ["queue", "job", "outcome"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    }),
    jobFailures: new Counter({
      name: "perimeter_worker_job_failures_total",
      help: "BullMQ job attempts that failed, by queue and job name.",
      labelNames: ["queue", "job"],
      registers,
    }),
    queueJobs: new Gauge({
      name: "perimeter_worker_queue_jobs",
      help: "Jobs per BullMQ queue and state, read at scrape time.",
      labelNames: ["queue", "state"],
      registers,
    }),
    usageStreamBacklog: new Gauge({
      name: "perimeter_usage_stream_backlog",
      help: "Entries in the usage stream not yet ingested (acknowledged entries are deleted).",
      registers,
    }),
    usageStreamPending: new Gauge({
      name: "perimeter_usage_stream_pending",
      help: "Entries delivered to a consumer and not yet acknowledged.",
      registers,
    }),
    usageDeadLetters: new Gauge({
      name: "perimeter_usage_dead_letters",
      help: "Entries in the usage dead-letter list, waiting for a human.",
      registers,
    }),
    usageIngestionLagSeconds: new Gauge({
      name: "perimeter_usage_ingestion_lag_seconds",
      help: "Age of the oldest usage entry not yet ingested; 0 when the stream is drained.",
      registers,
    }),
    usageRollupLagSeconds: new Gauge({
      name: "perimeter_usage_rollup_lag_seconds",
      help: "How far the rollup watermark trails the database clock.",
      registers,
    }),
    auditChainBrokenOrgs: new Gauge({
      name: "perimeter_audit_chain_broken_orgs",
      help: "Organizations whose latest audit-chain verification found a break.",
      registers,
    }),
    addProbe(name, probe) {
      probes.set(name, probe);
    },
    removeProbe(name) {
      probes.delete(name);
    },
    async render() {
      await Promise.all([...probes].map(([name, probe]) => runProbe(name, probe)));
      return registry.metrics();
    },
  };
}
