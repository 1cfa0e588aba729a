// The two Redis scripts of admission control. Each runs atomically over every limit of one request (all
// keys share the team's hash tag), so limits hold exactly however many gateway processes share Redis.
//
// The limits of one scope (a key, a membership, a team) share their state, one store per kind:
// - per-minute windows: one sorted set, the log of the last minute's admissions, each member
//   `<requests>,<input>,<output>|<lease>` scored by its time, and beside it (`<key>:sum`) the running sums
//   `r,i,o,<next aging>`. No more than `limit` requests (or tokens) are ever admitted within any 60 s, and
//   a refusal knows exactly when enough will have aged out. Admissions older than a minute leave the sums
//   at most once a second, and always before a refusal: sums that still count them are only ever too
//   high, so a request they admit is admitted by the exact count too;
// - concurrency: a sorted set of leases scored by expiry, so a gateway that dies without releasing its
//   leases frees them when they expire (expired ones are swept before a refusal);
// - each budget period: a counter `input,output,total` of tokens used (and reserved), expiring a day after
//   the period ends.
//
// Lua in Redis is interpreted and every value it turns into a string costs about as much as a command,
// so the caller hands over ready-made strings (times, members, expiry times) and the scripts only
// compare and add.

const windowMs = 60_000;
/** How often a busy window's sums drop what aged out (a refusal always does it first). */
const agingMs = 1_000;

/**
 * Checks every limit first and takes nothing unless all pass.
 *
 * KEYS: each store's key in order, a window's sum key right after its log. ARGV: now, now − 60 s, lease
 * id, lease expiry, when the lease set may expire (ms, as strings), then per store:
 * - window: `w,<limit r>,<limit i>,<limit o>,<amount r>,<amount i>,<amount o>` (limit -1: none) and its
 *   member `<amount r>,<amount i>,<amount o>|<lease>`;
 * - concurrency: `c,<limit>`;
 * - budget: `b,<limit i>,<limit o>,<limit t>,<amount i>,<amount o>,<amount t>` and `<period end>,<expiry>`.
 *
 * Returns `{1, …}` with three numbers per store when admitted — what each slot of a window or budget
 * holds after the reservation, how many leases are held — or `{0, store, slot, retryAfterMs, used,
 * resetMs}` naming the first limit that refused (`retryAfterMs` -1: the request can never fit; `resetMs`:
 * until a window is wholly free again).
 */
export const admitScript = `
local now = tonumber(ARGV[1])
local cutoff = ARGV[2]
local spec = '^(%a),(%-?%d+),(%-?%d+),(%-?%d+),(%-?%d+),(%-?%d+),(%-?%d+)$'

-- Takes the members a minute old or older out of a window's log, and their amounts out of its sums.
local function age(set, used)
  local old = redis.call('ZRANGEBYSCORE', set, '-inf', cutoff)
  if #old > 0 then
    redis.call('ZREMRANGEBYSCORE', set, '-inf', cutoff)
    for _, member in ipairs(old) do
      local a, b, c = string.match(member, '^(%-?%d+),(%-?%d+),(%-?%d+)')
      used[1], used[2], used[3] = used[1] - a, used[2] - b, used[3] - c
    end
  end
end

-- Writes a window's sums. Whenever it ages, its log and sums get the same new expiry, so the sums never
-- outlive the log they count.
local function saveSums(store, r, n, o)
  local text = r .. ',' .. n .. ',' .. o .. ',' .. store.nextAging
  if store.aged then
    redis.call('SET', store.sum, text, 'PX', '${windowMs * 2}')
    redis.call('PEXPIRE', store.key, '${windowMs * 2}')
  else
    redis.call('SET', store.sum, text, 'KEEPTTL')
  end
end

-- How long until enough of a window's oldest admissions have aged out for slot s to take amount.
local function wait(set, s, used, amount, limit)
  local freed, start = 0, 0
  while true do
    local members = redis.call('ZRANGE', set, start, start + 127, 'WITHSCORES')
    if #members == 0 then return ${windowMs} end
    for j = 1, #members, 2 do
      local a, b, c = string.match(members[j], '^(%-?%d+),(%-?%d+),(%-?%d+)')
      freed = freed + tonumber(s == 1 and a or s == 2 and b or c)
      if used - freed + amount <= limit then return math.max(1, tonumber(members[j + 1]) + ${windowMs} - now) end
    end
    start = start + 128
  end
end

-- The first of a store's slots that the request does not fit in, or nil.
local function over(store, used)
  for s = 1, 3 do
    local limit = store.limits[s]
    if limit >= 0 and used[s] + store.amounts[s] > limit then return s end
  end
end

local stores = {}
local k, a = 1, 6
while ARGV[a] do
  local kind = string.sub(ARGV[a], 1, 1)
  local store = {key = KEYS[k], kind = kind}
  if kind == 'c' then
    store.limit = tonumber(string.sub(ARGV[a], 3))
    k, a = k + 1, a + 1
  else
    local _, l1, l2, l3, m1, m2, m3 = string.match(ARGV[a], spec)
    store.limits = {tonumber(l1), tonumber(l2), tonumber(l3)}
    store.amounts = {tonumber(m1), tonumber(m2), tonumber(m3)}
    if kind == 'w' then
      store.sum, store.member = KEYS[k + 1], ARGV[a + 1]
      k = k + 2
    else
      local periodEnd, expireAt = string.match(ARGV[a + 1], '^(%d+),(%d+)$')
      store.periodEnd, store.expireAt = tonumber(periodEnd), expireAt
      k = k + 1
    end
    a = a + 2
  end
  stores[#stores + 1] = store
end

for i, store in ipairs(stores) do
  if store.kind == 'w' then
    local text = redis.call('GET', store.sum)
    local used, nextAging, aged
    if text then
      local r, n, o, at = string.match(text, '^(%-?%d+),(%-?%d+),(%-?%d+),(%d+)$')
      if r then used, nextAging = {tonumber(r), tonumber(n), tonumber(o)}, tonumber(at) end
    end
    if not used then
      -- No sums (a new window, or they were lost): count what the log holds.
      redis.call('ZREMRANGEBYSCORE', store.key, '-inf', cutoff)
      used, nextAging, aged = {0, 0, 0}, now + ${agingMs}, true
      for _, member in ipairs(redis.call('ZRANGE', store.key, 0, -1)) do
        local r, n, o = string.match(member, '^(%-?%d+),(%-?%d+),(%-?%d+)')
        used[1], used[2], used[3] = used[1] + r, used[2] + n, used[3] + o
      end
    end
    local s = over(store, used)
    if not aged and (now >= nextAging or s) then
      age(store.key, used)
      nextAging, aged, s = now + ${agingMs}, true, over(store, used)
    end
    store.used, store.nextAging, store.aged = used, nextAging, aged
    if s then
      -- What aged out stays out, though nothing is admitted.
      if aged then saveSums(store, used[1], used[2], used[3]) end
      local limit, amount = store.limits[s], store.amounts[s]
      local newest = redis.call('ZRANGE', store.key, -1, -1, 'WITHSCORES')[2]
      local reset = newest and tonumber(newest) + ${windowMs} - now or 0
      if amount > limit then return {0, i, s, -1, used[s], reset} end
      return {0, i, s, wait(store.key, s, used[s], amount, limit), used[s], reset}
    end
  elseif store.kind == 'c' then
    local held = redis.call('ZCARD', store.key)
    if held + 1 > store.limit then
      -- Leases of gateways that died count until they expire: sweep those first.
      redis.call('ZREMRANGEBYSCORE', store.key, '-inf', ARGV[1])
      held = redis.call('ZCARD', store.key)
      if held + 1 > store.limit then return {0, i, 1, 1000, held, 0} end
    end
    store.held = held
  else
    local text = redis.call('GET', store.key)
    local used = {0, 0, 0}
    if text then
      local n, o, t = string.match(text, '^(%-?%d+),(%-?%d+),(%-?%d+)')
      used = {tonumber(n), tonumber(o), tonumber(t)}
    end
    store.used = used
    local s = over(store, used)
    if s then
      if store.amounts[s] > store.limits[s] then return {0, i, s, -1, used[s], store.periodEnd - now} end
      return {0, i, s, store.periodEnd - now, used[s], store.periodEnd - now}
    end
  end
end

local out = {1}
for _, store in ipairs(stores) do
  if store.kind == 'c' then
    redis.call('ZADD', store.key, ARGV[4], ARGV[3])
    redis.call('PEXPIREAT', store.key, ARGV[5])
    out[#out + 1], out[#out + 2], out[#out + 3] = store.held + 1, 0, 0
  else
    local used, amounts = store.used, store.amounts
    local r, n, o = used[1] + amounts[1], used[2] + amounts[2], used[3] + amounts[3]
    if store.kind == 'w' then
      redis.call('ZADD', store.key, ARGV[1], store.member)
      saveSums(store, r, n, o)
    else
      redis.call('SET', store.key, r .. ',' .. n .. ',' .. o, 'PXAT', store.expireAt)
    end
    out[#out + 1], out[#out + 2], out[#out + 3] = r, n, o
  end
end
return out
`;

/**
 * Settles a request: in each window and budget what the request used replaces its reservation, and its
 * lease is released. A window keeps the reservation's member and adds the difference as a second member
 * at the admission's time, so both age out together, on schedule. The caller passes only stores with
 * something to do (a window whose admission already aged out no longer counts either way).
 *
 * KEYS as for admission. ARGV: lease id, admission time, then per store:
 * - window: `<used − reserved r>,<i>,<o>` and the difference's member `<r>,<i>,<o>|<lease>:settled`;
 * - concurrency: `c`;
 * - budget: `<used − reserved i>,<o>,<t>`, then `b` (a period that ended, its counter gone, stays gone).
 */
export const settleScript = `
local k, a = 1, 3
while ARGV[a] do
  local key = KEYS[k]
  if ARGV[a] == 'c' then
    redis.call('ZREM', key, ARGV[1])
    k, a = k + 1, a + 1
  else
    local d1, d2, d3 = string.match(ARGV[a], '^(%-?%d+),(%-?%d+),(%-?%d+)$')
    local budget = ARGV[a + 1] == 'b'
    local sum = budget and key or KEYS[k + 1]
    -- Sums and log share one expiry: no sums, no log to add to either.
    local text = redis.call('GET', sum)
    if text then
      if not budget then redis.call('ZADD', key, ARGV[2], ARGV[a + 1]) end
      local r, n, o, rest = string.match(text, '^(%-?%d+),(%-?%d+),(%-?%d+)(.*)$')
      redis.call('SET', sum, (r + d1) .. ',' .. (n + d2) .. ',' .. (o + d3) .. rest, 'KEEPTTL')
    end
    k, a = k + (budget and 1 or 2), a + 2
  end
end
return 1
`;
