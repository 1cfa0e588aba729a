import type { PlannedLimit, RequestEstimate } from "../limits/limit-plan.ts";
import type { Admission } from "../limits/limiter.ts";
import type { TeamPrincipal } from "./authenticate.ts";

/** What the stages of one request learn about it, filled in as they run; read when it finishes. */
export interface RequestState {
  requestId: string;
  /** `performance.now()` at arrival. */
  arrivedAt: number;
  startedAt: Date;
  /** The API that was called, for the usage event (`messages` when unset). */
  endpoint?: string;
  /** The client's session id when the route reads it from a header other than Claude Code's. */
  sessionId?: string;
  principal?: TeamPrincipal;
  /** The model as the client named it, and as it was resolved. */
  requestedModel?: string;
  publicModel?: string;
  servedModel?: string;
  /** Set once admission reserved something that settlement must true up. */
  admission?: { plan: PlannedLimit[]; admission: Admission; estimate: RequestEstimate };
  /** `admitted`, `unchecked` (limits unavailable, admitted anyway), or the name of the refusing limit. */
  limitDecision?: string;
  /** The deployment replica that served it, if it went to one. */
  replica?: { deploymentId: string; name: string };
  /** Vision calls made for this request (each metered on its own) and the tokens they used. */
  visionCalls?: number;
  visionUse?: { input: number; output: number };
  /** Ends the request's in-flight count on its replica. */
  release?: () => void;
}
