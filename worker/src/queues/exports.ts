import { exportJobDataSchema, exportJobName, exportQueueName, failExport } from "@perimeter/core";
import { errorMessage } from "@perimeter/runtime";
import { DelayedError } from "bullmq";
import { ExportReleasedError, runExport, workerActor } from "../exports/run-export.ts";
import type { WorkerServices } from "../services.ts";
import { type StartedQueue, startQueue } from "./start-queue.ts";

/**
 * The `exports` queue: one job per export request (enqueued by core's `requestExport`, job id = export
 * id), one export at a time per worker. A shutdown hands the running export back to the queue (it
 * restarts from zero elsewhere) instead of failing it; the last failed attempt marks it failed.
 */
export async function startExports(services: WorkerServices, options: { exportDir: string }): Promise<StartedQueue> {
  return startQueue(services, {
    name: exportQueueName,
    concurrency: 1,
    processors: {
      [exportJobName]: async (job, { token, closing }) => {
        const data = exportJobDataSchema.parse(job.data);
        try {
          const result = await runExport({ db: services.db, exportDir: options.exportDir }, data, {
            closing,
            onProgress: (rowsWritten) => job.updateProgress({ rowsWritten }),
          });
          if (result.status === "skipped") return result;
          return { status: result.status, rowCount: result.manifest.rowCount, sha256: result.manifest.sha256 };
        } catch (error) {
          if (error instanceof ExportReleasedError) {
            services.log.info("export released for another worker", { exportId: data.exportId });
            await job.moveToDelayed(Date.now() + 1_000, token);
            throw new DelayedError();
          }
          if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
            await failExport(
              { db: services.db, orgId: data.orgId, actor: workerActor },
              { exportId: data.exportId, error: errorMessage(error).slice(0, 2000) },
            );
          }
          throw error;
        }
      },
    },
  });
}
