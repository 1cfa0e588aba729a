import type { CoreContext } from "./context.ts";

/** Records how many rows a running export has written, for the progress the web shows. */
export async function recordExportProgress(
  ctx: Pick<CoreContext, "db" | "orgId">,
  input: { exportId: string; rowsWritten: number },
): Promise<void> {
  await ctx.db.exportJob.updateMany({
    where: { id: input.exportId, orgId: ctx.orgId, status: "running" },
    data: { rowsWritten: BigInt(input.rowsWritten) },
  });
}
