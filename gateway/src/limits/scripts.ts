// The two Redis scripts of admission control. Each runs atomically over every limit of one request (all
// keys share the team's hash tag), so limits hold exactly however many gateway processes share Redis.
//
// KEYS: one per limit. ARGV: now (ms), lease id, lease expiry (ms), then four values per limit:
// kind (`bucket` | `concurrency` | `budget`), limit, amount, and for budgets the period end (ms).
//
// Token buckets (`bucket`) hold up to `limit` tokens and refill at `limit` per minute; a hash keeps the
// tokens and the time they were counted. Concurrency is a sorted set of leases scored by expiry, so a
// gateway that dies without releasing its leases frees them when they expire. Budgets are counters of
// tokens used (and reserved) in a calendar period; they expire a day after the period ends.

/**
 * Checks every limit first and takes nothing unless all pass. Returns `{1, remaining_1, resetMs_1, …}`
 * when admitted (remaining after the reservation; `resetMs` is how long until the limit is whole again),
 * or `{0, index, retryAfterMs, remaining}` naming the first limit that refused (`retryAfterMs` -1: never).
 */
export const admitScript = `
local now = tonumber(ARGV[1])
local lease = ARGV[2]
local leaseUntil = tonumber(ARGV[3])
local current = {}
for i = 1, #KEYS do
  local at = 3 + (i - 1) * 4
  local kind, limit, amount, periodEnd = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
  if kind == 'bucket' then
    local state = redis.call('HMGET', KEYS[i], 't', 'ts')
    local tokens = tonumber(state[1]) or limit
    local since = math.max(0, now - (tonumber(state[2]) or now))
    local available = math.min(limit, tokens + since * limit / 60000)
    current[i] = available
    if amount > available then
      if limit <= 0 then return {0, i, -1, 0} end
      return {0, i, math.ceil((amount - available) * 60000 / limit), math.floor(available)}
    end
  elseif kind == 'concurrency' then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
    local held = redis.call('ZCARD', KEYS[i])
    current[i] = held
    if held + 1 > limit then return {0, i, 1000, math.max(0, limit - held)} end
  else
    local used = tonumber(redis.call('GET', KEYS[i]) or '0')
    current[i] = used
    if used + amount > limit then
      if amount > limit then return {0, i, -1, math.max(0, limit - used)} end
      return {0, i, periodEnd - now, math.max(0, limit - used)}
    end
  end
end
local out = {1}
for i = 1, #KEYS do
  local at = 3 + (i - 1) * 4
  local kind, limit, amount, periodEnd = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
  if kind == 'bucket' then
    local left = current[i] - amount
    redis.call('HSET', KEYS[i], 't', left, 'ts', now)
    redis.call('PEXPIRE', KEYS[i], 3600000)
    out[#out + 1] = math.floor(left)
    out[#out + 1] = math.ceil((limit - left) * 60000 / limit)
  elseif kind == 'concurrency' then
    redis.call('ZADD', KEYS[i], leaseUntil, lease)
    redis.call('PEXPIREAT', KEYS[i], leaseUntil + 60000)
    out[#out + 1] = limit - current[i] - 1
    out[#out + 1] = 0
  else
    local used = redis.call('INCRBY', KEYS[i], amount)
    redis.call('PEXPIREAT', KEYS[i], periodEnd + 86400000)
    out[#out + 1] = limit - used
    out[#out + 1] = periodEnd - now
  end
end
return out
`;

/**
 * Settles a request: each bucket and budget gets `delta` added (the reservation minus what was really
 * used, so negative when the request used more), and the request's lease is released. A bucket is never
 * refilled past its limit; it may go below zero, and the next requests wait until it refills.
 * ARGV: now, lease id, then three values per limit: kind, limit, delta.
 */
export const settleScript = `
local now = tonumber(ARGV[1])
local lease = ARGV[2]
for i = 1, #KEYS do
  local at = 2 + (i - 1) * 3
  local kind, limit, delta = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
  if kind == 'bucket' then
    if delta ~= 0 then
      local state = redis.call('HMGET', KEYS[i], 't', 'ts')
      local tokens = tonumber(state[1]) or limit
      local since = math.max(0, now - (tonumber(state[2]) or now))
      local available = math.min(limit, tokens + since * limit / 60000)
      redis.call('HSET', KEYS[i], 't', math.min(limit, available + delta), 'ts', now)
      redis.call('PEXPIRE', KEYS[i], 3600000)
    end
  elseif kind == 'concurrency' then
    redis.call('ZREM', KEYS[i], lease)
  elseif delta ~= 0 and redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCRBY', KEYS[i], delta)
  end
end
return 1
`;
