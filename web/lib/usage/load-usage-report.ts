import type { GetUsageReportInput, UsageReportBucket } from "@perimeter/core";
import type { Principal } from "../authz/principal";
import type { OperationEnv } from "../operations/operation-env";
import type { OperationResult } from "../operations/operation-result";
import { getUsage } from "../operations/usage";
import { maxBuckets } from "./usage-query";

const pageSize = { "1h": 168, "1d": 31 } as const;

/**
 * Every bucket of a range, following the report's `next_page` (168 hours or 31 days a page) up to
 * `maxBuckets`, so a chart gets the whole range in a handful of rollup queries.
 */
export async function loadUsageReport(
  env: OperationEnv,
  principal: Principal,
  input: Omit<GetUsageReportInput, "limit" | "page"> & { bucketWidth: "1h" | "1d" },
): Promise<OperationResult<UsageReportBucket[]>> {
  const buckets: UsageReportBucket[] = [];
  let page: string | undefined;
  do {
    const result = await getUsage(env, principal, { ...input, limit: pageSize[input.bucketWidth], page });
    if (!result.ok) return result;
    buckets.push(...result.value.data);
    page = result.value.next_page ?? undefined;
  } while (page && buckets.length < maxBuckets);
  return { ok: true, value: buckets };
}
