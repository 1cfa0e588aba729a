// The two Redis scripts of admission control. Each runs atomically over every limit of one request (all
// keys share the team's hash tag), so limits hold exactly however many gateway processes share Redis.
//
// KEYS: two per limit — its main key, and (windows only) the key of its running sum.
// ARGV: now (ms), lease id, lease expiry (ms), then four values per limit:
// kind (`window` | `concurrency` | `budget`), limit, amount, and for budgets the period end (ms).
//
// Per-minute limits are sliding windows: a sorted set of the last minute's admissions, each member
// `<lease>|<amount>` scored by its time, and a running sum beside it, so no more than `limit` requests (or
// tokens) are ever admitted within any 60 s, and a refusal knows exactly when enough will have aged out.
// Concurrency is a sorted set of leases scored by expiry, so a gateway that dies without releasing its
// leases frees them when they expire. Budgets are counters of tokens used (and reserved) in a calendar
// period; they expire a day after the period ends.

const windowMs = 60_000;

/** Lua that drops a window's members older than a minute from its sorted set and its sum. */
const expire = `
local function expire(set, sum, now)
  local old = redis.call('ZRANGEBYSCORE', set, '-inf', now - ${windowMs})
  if #old == 0 then return tonumber(redis.call('GET', sum) or '0') end
  local freed = 0
  for _, member in ipairs(old) do freed = freed + tonumber(string.match(member, '|(-?%d+)$')) end
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now - ${windowMs})
  return redis.call('INCRBY', sum, -freed)
end
`;

/**
 * Checks every limit first and takes nothing unless all pass. Returns `{1, remaining_1, resetMs_1, …}`
 * when admitted (what is left after the reservation; `resetMs`: until the window frees its oldest
 * admission, or until the budget period ends), or `{0, index, retryAfterMs, remaining}` naming the first
 * limit that refused (`retryAfterMs` -1: the request can never fit).
 */
export const admitScript = `${expire}
local now = tonumber(ARGV[1])
local lease = ARGV[2]
local leaseUntil = tonumber(ARGV[3])
local current = {}
for i = 1, #KEYS / 2 do
  local at = 3 + (i - 1) * 4
  local kind, limit, amount, periodEnd = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
  local key, sum = KEYS[2 * i - 1], KEYS[2 * i]
  if kind == 'window' then
    local used = expire(key, sum, now)
    current[i] = used
    if used + amount > limit then
      if amount > limit then return {0, i, -1, math.max(0, limit - used)} end
      -- The oldest admissions age out first: wait until enough of them have.
      local members = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
      local freed, wait = 0, ${windowMs}
      for j = 1, #members, 2 do
        freed = freed + tonumber(string.match(members[j], '|(-?%d+)$'))
        if used - freed + amount <= limit then
          wait = tonumber(members[j + 1]) + ${windowMs} - now
          break
        end
      end
      return {0, i, math.max(1, wait), math.max(0, limit - used)}
    end
  elseif kind == 'concurrency' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local held = redis.call('ZCARD', key)
    current[i] = held
    if held + 1 > limit then return {0, i, 1000, math.max(0, limit - held)} end
  else
    local used = tonumber(redis.call('GET', key) or '0')
    current[i] = used
    if used + amount > limit then
      if amount > limit then return {0, i, -1, math.max(0, limit - used)} end
      return {0, i, periodEnd - now, math.max(0, limit - used)}
    end
  end
end
local out = {1}
for i = 1, #KEYS / 2 do
  local at = 3 + (i - 1) * 4
  local kind, limit, amount, periodEnd = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
  local key, sum = KEYS[2 * i - 1], KEYS[2 * i]
  if kind == 'window' then
    redis.call('ZADD', key, now, lease .. '|' .. amount)
    local used = redis.call('INCRBY', sum, amount)
    redis.call('PEXPIRE', key, ${windowMs * 2})
    redis.call('PEXPIRE', sum, ${windowMs * 2})
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    out[#out + 1] = limit - used
    out[#out + 1] = tonumber(oldest[2]) + ${windowMs} - now
  elseif kind == 'concurrency' then
    redis.call('ZADD', key, leaseUntil, lease)
    redis.call('PEXPIREAT', key, leaseUntil + ${windowMs})
    out[#out + 1] = limit - current[i] - 1
    out[#out + 1] = 0
  else
    local used = redis.call('INCRBY', key, amount)
    redis.call('PEXPIREAT', key, periodEnd + 86400000)
    out[#out + 1] = limit - used
    out[#out + 1] = periodEnd - now
  end
end
return out
`;

/**
 * Settles a request: in each window and budget the reservation is replaced by what the request used
 * (`used`; a window keeps the admission's time, so what was reserved ages out on schedule), and the
 * request's lease is released. ARGV: now, lease id, then three values per limit: kind, reserved, used.
 */
export const settleScript = `
local now = tonumber(ARGV[1])
local lease = ARGV[2]
for i = 1, #KEYS / 2 do
  local at = 2 + (i - 1) * 3
  local kind, reserved, used = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
  local key, sum = KEYS[2 * i - 1], KEYS[2 * i]
  if kind == 'window' then
    if used ~= reserved then
      local member = lease .. '|' .. reserved
      local at = redis.call('ZSCORE', key, member)
      -- Already aged out of the window: it no longer counts either way.
      if at then
        redis.call('ZREM', key, member)
        redis.call('ZADD', key, at, lease .. '|' .. used)
        redis.call('INCRBY', sum, used - reserved)
      end
    end
  elseif kind == 'concurrency' then
    redis.call('ZREM', key, lease)
  elseif used ~= reserved and redis.call('EXISTS', key) == 1 then
    redis.call('INCRBY', key, used - reserved)
  end
end
return 1
`;
