// Entry point of the load generator process, forked by `bench.ts` with an IPC channel. It runs one job at
// a time: `probe` (one request, the answer returned whole) or `run` (a measured slice; `window-start` and
// `window-end` are sent as the measured window opens and closes, then the result).

import { type LoadJob, type LoadResult, type ProbeAnswer, probe, runLoad } from "./load-job.ts";

export type GeneratorRequest = { type: "probe" | "run"; id: number; job: LoadJob };

export type GeneratorMessage =
  | { type: "window-start" | "window-end"; id: number }
  | { type: "result"; id: number; result: LoadResult }
  | ({ type: "probe"; id: number } & ProbeAnswer)
  | { type: "failed"; id: number; error: string };

const send = (message: GeneratorMessage) => process.send?.(message);

process.on("message", (request: GeneratorRequest) => {
  const { id, job } = request;
  const work =
    request.type === "probe"
      ? probe(job).then((answer) => send({ type: "probe", id, ...answer }))
      : runLoad(job, {
          windowStart: () => send({ type: "window-start", id }),
          windowEnd: () => send({ type: "window-end", id }),
        }).then((result) => send({ type: "result", id, result }));
  work.catch((error: Error) => send({ type: "failed", id, error: error.message }));
});
// The parent going away ends the generator with it.
process.on("disconnect", () => process.exit(0));
