import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** How many failed sign-ins are tolerated per window, per account and per client address. */
export interface LoginThrottleConfig {
  /** Prefix of every Redis key the throttle writes (tests use a unique one). */
  keyPrefix: string;
  windowSec: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
}

/**
 * Five wrong passwords lock an account for the rest of a 15-minute window, whoever types them; thirty
 * failures from one address lock that address out of every account (password spraying).
 */
export const defaultLoginThrottle: LoginThrottleConfig = {
  keyPrefix: "perimeter:web:login",
  windowSec: 900,
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 30,
};

export type ThrottleDecision = { allowed: true } | { allowed: false; scope: "account" | "ip"; retryAfterSec: number };

// Emails and addresses are hashed so the key names carry no personal data.
function keys(config: LoginThrottleConfig, email: string, ip: string) {
  const digest = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 32);
  return {
    account: `${config.keyPrefix}:account:${digest(email.trim().toLowerCase())}`,
    ip: `${config.keyPrefix}:ip:${digest(ip)}`,
  };
}

type Counts = { account: number; accountTtl: number; ip: number; ipTtl: number };

/** The numbers at `positions` of a MULTI's replies (a missing key reads as 0). */
function replies(result: [Error | null, unknown][] | null, positions: Record<keyof Counts, number>): Counts {
  const at = (index: number) => Number(result?.[index]?.[1] ?? 0) || 0;
  return {
    account: at(positions.account),
    accountTtl: at(positions.accountTtl),
    ip: at(positions.ip),
    ipTtl: at(positions.ipTtl),
  };
}

function decide(config: LoginThrottleConfig, counts: Counts): ThrottleDecision {
  // A key without expiry (ttl -1) cannot happen through this module; treat it as a full window.
  const retry = (ttl: number) => (ttl > 0 ? ttl : config.windowSec);
  if (counts.account >= config.maxFailuresPerAccount) {
    return { allowed: false, scope: "account", retryAfterSec: retry(counts.accountTtl) };
  }
  if (counts.ip >= config.maxFailuresPerIp) return { allowed: false, scope: "ip", retryAfterSec: retry(counts.ipTtl) };
  return { allowed: true };
}

/** Whether a sign-in attempt for `email` from `ip` may be checked at all, before any password work. */
export async function checkLoginThrottle(
  redis: Redis,
  config: LoginThrottleConfig,
  email: string,
  ip: string,
): Promise<ThrottleDecision> {
  const k = keys(config, email, ip);
  const result = await redis.multi().get(k.account).ttl(k.account).get(k.ip).ttl(k.ip).exec();
  return decide(config, replies(result, { account: 0, accountTtl: 1, ip: 2, ipTtl: 3 }));
}

/**
 * Counts one failed attempt against the account and the address. Each counter's window starts at its
 * first failure (fixed window, `EXPIRE … NX`), so a locked account unlocks by itself when it ends.
 * Returns the decision for the next attempt, so the failure that reaches the limit can say so.
 */
export async function recordLoginFailure(
  redis: Redis,
  config: LoginThrottleConfig,
  email: string,
  ip: string,
): Promise<ThrottleDecision> {
  const k = keys(config, email, ip);
  const result = await redis
    .multi()
    .incr(k.account)
    .expire(k.account, config.windowSec, "NX")
    .ttl(k.account)
    .incr(k.ip)
    .expire(k.ip, config.windowSec, "NX")
    .ttl(k.ip)
    .exec();
  return decide(config, replies(result, { account: 0, accountTtl: 2, ip: 3, ipTtl: 5 }));
}

/** Forgets an account's failures after a successful sign-in (the address's count stays). */
export async function clearAccountFailures(redis: Redis, config: LoginThrottleConfig, email: string): Promise<void> {
  await redis.del(keys(config, email, "").account);
}

/** "Try again in 12 minutes." for a retry delay in seconds. */
export function describeRetry(retryAfterSec: number): string {
  if (retryAfterSec < 60) return `Try again in ${retryAfterSec} second${retryAfterSec === 1 ? "" : "s"}.`;
  const minutes = Math.ceil(retryAfterSec / 60);
  return `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
