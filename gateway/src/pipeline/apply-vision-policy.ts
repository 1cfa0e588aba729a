import { createHash } from "node:crypto";
import type http from "node:http";
import type { AnthropicErrorStatus } from "../http/anthropic-error.ts";
import type { MessagesRequest } from "../protocol/anthropic.ts";
import type { ModelRoute } from "../routing/model-router.ts";
import type { GatewayServices } from "../services.ts";
import { describeImages, type VisionCall } from "../vision/describe-images.ts";
import { DescriptionCache } from "../vision/description-cache.ts";
import { describedImageText, type FoundBlocks, findImages, replaceImages } from "../vision/find-images.ts";
import type { TeamPrincipal } from "./authenticate.ts";
import { usageEvent } from "./finish-request.ts";
import type { RequestState } from "./request-state.ts";

export type VisionStepResult =
  | { ok: true; request: MessagesRequest; model: ModelRoute; images: "placeholder" | "inline" }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; status: AnthropicErrorStatus; message: string };

export interface VisionStepInput {
  request: MessagesRequest;
  model: ModelRoute;
  headers: http.IncomingHttpHeaders;
  sessionId: string | null;
  signal: AbortSignal;
}

/** What the team's policy does with a request's images, decided without I/O. */
export type VisionPlan =
  | { kind: "none" }
  | { kind: "reject"; message: string }
  | { kind: "apply"; policy: TeamPrincipal["vision"]["policies"][number]; found: FoundBlocks };

/**
 * The first half of the vision step, pure: which blocks of the request the team's policy for the routed
 * model concerns. Without a policy, with `placeholder`, or without images, nothing (the translation writes
 * placeholders); `reject` refuses with a 400 naming the model and the policy; otherwise the request needs
 * `applyVisionPolicy`, which the route runs only once the request is admitted, so that a key's limits
 * bound the vision calls it causes too.
 */
export function planVision(principal: TeamPrincipal, request: MessagesRequest, model: ModelRoute): VisionPlan {
  const policy = principal.vision.policies.find((entry) => entry.model === model.publicName);
  if (!policy || policy.mode === "placeholder") return { kind: "none" };
  const found = findImages(request);
  const first = found.images[0]?.path ?? found.documents[0];
  if (first === undefined) return { kind: "none" };
  if (policy.mode === "reject") {
    return {
      kind: "reject",
      message:
        `${first}: model \`${model.publicName}\` cannot read images or PDF documents, and this team's vision policy ` +
        "for it is `reject`; remove the image or ask an admin to set the policy to `describe` or `route`",
    };
  }
  if (policy.mode === "describe" && found.images.length === 0) return { kind: "none" };
  return { kind: "apply", policy, found };
}

/**
 * The second half of the vision step, for a plan of kind `apply`: `route` sends the whole request to the
 * vision model, images inline; `describe` has the vision model describe each new image (cached by hash)
 * and puts the descriptions in place of the images, marked as such; each call is metered as a usage event
 * of its own, under a request id derived from this one.
 */
export async function applyVisionPolicy(
  services: GatewayServices,
  state: RequestState,
  principal: TeamPrincipal,
  plan: Extract<VisionPlan, { kind: "apply" }>,
  input: VisionStepInput,
): Promise<VisionStepResult> {
  const { request, model } = input;
  const { policy, found } = plan;

  const visionName =
    policy.visionModel ??
    (principal.vision.orgVisionModels.length === 1 ? principal.vision.orgVisionModels[0] : undefined);
  if (!visionName) {
    const count = principal.vision.orgVisionModels.length;
    return refuse(
      500,
      `vision step: this team's vision policy for \`${model.publicName}\` (\`${policy.mode}\`) uses the organization's ` +
        `vision model, but the organization has ${count === 0 ? "none" : `${count}`}; an admin must name one`,
    );
  }
  const routed = services.router.resolve(principal.orgId, visionName, input.sessionId);
  if (!routed.ok) {
    const reason = routed.status === 529 ? routed.message : `model \`${visionName}\` has no deployment`;
    return refuse(routed.status === 529 ? 529 : 500, `vision step: no vision deployment is ready: ${reason}`);
  }
  const vision = routed.route;
  if (policy.mode === "route") {
    state.publicModel = vision.publicName;
    state.servedModel = vision.servedName;
    return { ok: true, request, model: vision, images: "inline" };
  }

  const unreadable = found.images.find((image) => image.source.type === "file");
  if (unreadable) {
    return refuse(400, `${unreadable.path}: images referenced by file id cannot be described; send them as base64`);
  }
  const described = await describeImages(
    {
      router: services.router,
      cache: new DescriptionCache(services.redis, services.vision.cacheTtlSec, principal.orgId),
      timeoutMs: services.vision.timeoutMs,
      concurrency: services.vision.concurrency,
      maxTokens: services.vision.maxTokens,
    },
    vision,
    found.images,
    input.signal,
  );
  meterVisionCalls(services, state, principal, vision, described.calls, input.headers);
  if (!described.ok)
    return described.aborted ? { ok: false, aborted: true } : refuse(described.status, described.message);
  const texts = new Map<object, string>();
  for (const image of found.images) {
    const description = described.descriptions.get(image.sha256 as string) as string;
    texts.set(image.block, describedImageText(vision.publicName, description));
  }
  return { ok: true, request: replaceImages(request, texts), model, images: "placeholder" };
}

function refuse(status: AnthropicErrorStatus, message: string): VisionStepResult {
  return { ok: false, aborted: false, status, message };
}

/**
 * The request id of a request's `index`-th vision call: the parent's time part and 16 characters of a
 * hash of the parent's id, so it stays a valid `req_…` id, sorts beside its parent, and is the same on a
 * retry of the metering (the worker's dedupe by request id keeps one of each).
 */
export function visionRequestId(parentId: string, index: number): string {
  const digest = createHash("sha256").update(`${parentId}:vision:${index}`).digest();
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  let tail = "";
  for (let i = 0; i < 16; i++) tail += alphabet[(digest[i] as number) & 31];
  return `${parentId.slice(0, 14)}${tail}`;
}

/** Usage events of the vision calls, under the same key and team as the request that needed them. */
function meterVisionCalls(
  services: GatewayServices,
  state: RequestState,
  principal: TeamPrincipal,
  vision: ModelRoute,
  calls: VisionCall[],
  headers: http.IncomingHttpHeaders,
): void {
  const offset = state.visionCalls ?? 0;
  state.visionCalls = offset + calls.length;
  calls.forEach((call, i) => {
    const usage = call.usage;
    const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
    const input = Math.max(0, (usage?.prompt_tokens ?? 0) - cached);
    const output = usage?.completion_tokens ?? 0;
    state.visionUse = {
      input: (state.visionUse?.input ?? 0) + input,
      output: (state.visionUse?.output ?? 0) + output,
    };
    const event = usageEvent(
      {
        ...state,
        principal,
        requestId: visionRequestId(state.requestId, offset + i),
        startedAt: call.startedAt,
        publicModel: vision.publicName,
        servedModel: vision.servedName,
        ...(call.target.replica ? { replica: call.target.replica } : {}),
      },
      {
        status: call.status,
        ...(call.errorType ? { errorType: call.errorType } : {}),
        ...(usage
          ? {
              usage: {
                input_tokens: input,
                output_tokens: output,
                cache_read_input_tokens: cached,
                cache_creation_input_tokens: 0,
              },
            }
          : {}),
        stopReason: call.finishReason === "length" ? "max_tokens" : call.finishReason ? "end_turn" : null,
        stream: false,
      },
      headers,
      new Date(call.startedAt.getTime() + call.latencyMs),
      call.latencyMs,
    );
    services.meter.record({ ...event, endpoint: "vision" });
  });
}
