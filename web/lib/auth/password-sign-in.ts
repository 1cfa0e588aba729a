import {
  hashPassword,
  passwordNeedsRehash,
  type RecordSignInFailureInput,
  recordSignIn,
  recordSignInFailure,
  verifyPassword,
} from "@perimeter/core";
import type { Db } from "@perimeter/db";
import type { Redis } from "ioredis";
import {
  checkLoginThrottle,
  clearAccountFailures,
  describeRetry,
  type LoginThrottleConfig,
  recordLoginFailure,
} from "./login-throttle";

export interface PasswordSignInDeps {
  db: Db;
  redis: Redis;
  keyPepper: Uint8Array;
  throttle: LoginThrottleConfig;
}

export type PasswordSignInResult =
  | { ok: true; userId: string }
  | { ok: false; code: "INVALID_CREDENTIALS" | "RATE_LIMITED" | "DISABLED"; message: string };

const invalidCredentials = {
  ok: false,
  code: "INVALID_CREDENTIALS",
  message: "Wrong email or password.",
} as const;

// Verified against when no account matches, so an unknown email costs as much time as a wrong password
// and response times do not reveal who has an account.
let decoyHash: Promise<string> | undefined;

/**
 * Checks an email and password. Attempts are throttled in Redis per account and per client address
 * before any hashing; failures count against both. A scrypt hash of an earlier release is replaced by
 * an argon2id one on success. A disabled account is refused only after the right password, so the
 * answer never tells a stranger which accounts exist. Success is recorded (`user.sign_in`); so is every
 * failure on an existing account (`user.sign_in_failed`: wrong password, throttled, disabled), in that
 * account's organization, with the client's address.
 */
export async function signInWithPassword(
  deps: PasswordSignInDeps,
  input: { email: string; password: string; ip: string; userAgent?: string },
): Promise<PasswordSignInResult> {
  const email = input.email.trim().toLowerCase();
  const limited = (retryAfterSec: number) =>
    ({
      ok: false,
      code: "RATE_LIMITED",
      message: `Too many failed sign-in attempts. ${describeRetry(retryAfterSec)}`,
    }) as const;
  const findUser = () =>
    email ? deps.db.user.findFirst({ where: { email }, orderBy: { createdAt: "asc" } }) : Promise.resolve(null);
  const audit = (account: { id: string; orgId: string } | null, reason: RecordSignInFailureInput["reason"]) =>
    account
      ? recordSignInFailure(
          {
            db: deps.db,
            orgId: account.orgId,
            actor: { type: "system", label: "sign-in" },
            keyPepper: deps.keyPepper,
            request: { ip: input.ip, userAgent: input.userAgent },
          },
          { userId: account.id, method: "password", reason },
        )
      : undefined;
  const gate = await checkLoginThrottle(deps.redis, deps.throttle, email, input.ip);
  if (!gate.allowed) {
    await audit(await findUser(), "throttled");
    return limited(gate.retryAfterSec);
  }

  const user = await findUser();
  decoyHash ??= hashPassword("decoy password that never matches");
  const stored = user?.passwordHash ?? (await decoyHash);
  const matches = (await verifyPassword(input.password, stored)) && user?.passwordHash != null;
  if (!user || !matches || user.status === "invited") {
    const next = await recordLoginFailure(deps.redis, deps.throttle, email, input.ip);
    await audit(user, "wrong_password");
    return next.allowed ? invalidCredentials : limited(next.retryAfterSec);
  }
  await clearAccountFailures(deps.redis, deps.throttle, email);
  if (user.status === "disabled") {
    await audit(user, "disabled");
    return { ok: false, code: "DISABLED", message: "This account is disabled. Ask an administrator." };
  }
  const newPasswordHash = passwordNeedsRehash(stored) ? await hashPassword(input.password) : undefined;
  await recordSignIn(
    {
      db: deps.db,
      orgId: user.orgId,
      actor: { type: "user", id: user.id, label: user.email },
      keyPepper: deps.keyPepper,
      request: { ip: input.ip, userAgent: input.userAgent },
    },
    { method: "password", newPasswordHash },
  );
  return { ok: true, userId: user.id };
}
