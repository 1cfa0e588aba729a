// The two Redis scripts of admission control. Each runs atomically over every limit of one request (all
// keys share the team's hash tag), so limits hold exactly however many gateway processes share Redis.
//
// The limits of one scope (a key, a membership, a team) share their state, one store per kind:
// - per-minute windows: one sorted set, the log of the last minute's admissions, each member
//   `<requests>,<input>,<output>|<lease>` scored by its time (one member per admission batch, the sum of
//   what its requests reserved, named by the first one's lease), and beside it (`<key>:sum`) a hash of the
//   running sums `r`, `i`, `o` and `next`, when they next drop what aged out. No more than `limit`
//   requests (or tokens) are ever admitted within any 60 s, and a refusal knows exactly when enough will
//   have aged out. Admissions older than a minute leave the sums at most once a second, and always before
//   a refusal: sums that still count them are only ever too high, so a request they admit is admitted by
//   the exact count too;
// - concurrency: a sorted set of leases scored by expiry, so a gateway that dies without releasing its
//   leases frees them when they expire (expired ones are swept before a refusal);
// - each budget period: a hash of tokens used (and reserved), `i`, `o`, `t`, expiring a day after the
//   period ends.
//
// Lua in Redis is interpreted, and turning a number into a string costs it about as much as a command:
// the caller hands over ready-made strings (times, members, amounts, expiry times), counters are added to
// with HINCRBY, and the scripts only compare.

const windowMs = 60_000;
/** How often a busy window's sums drop what aged out (a refusal always does it first). */
export const agingMs = 1_000;

/**
 * How many stores the lone admission's tables are made for. A plan has up to 15 (per scope one window, one
 * lease set, three budget periods) and mostly 5 or fewer; a larger one grows the tables. Made for 8, the
 * script ran 343k instructions against 358k made for 15 and 394k grown from empty (callgrind, 5 stores).
 */
const presizedStores = 8;

/** A Lua table constructor of `size` copies of `value`: a table made at that size, never rehashed as it fills. */
function presized(size: number, value: string): string {
  return `{${Array.from({ length: size }, () => value).join(", ")}}`;
}
/** Per-store and per-slot tables of the lone admission (`admitOneScript`). */
const storeZeros = presized(presizedStores, "0");
const storeFalses = presized(presizedStores, "false");
const slotZeros = presized(3 * presizedStores, "0");

/**
 * The admission scripts' window helpers: `age(set, cutoff)` takes the members older than `cutoff` out of
 * a window's log and returns their amounts; `wait(set, now, s, used, amount, limit)` is how long until
 * enough of the oldest have aged out for slot `s` to take `amount`.
 */
const windowHelpers = `
-- Takes the members older than cutoff out of a window's log; returns their amounts.
local function age(set, cutoff)
  local f1, f2, f3 = 0, 0, 0
  local old = redis.call('ZRANGEBYSCORE', set, '-inf', cutoff)
  if #old > 0 then
    redis.call('ZREMRANGEBYSCORE', set, '-inf', cutoff)
    for _, member in ipairs(old) do
      local a, b, c = string.match(member, '^(%-?%d+),(%-?%d+),(%-?%d+)')
      f1, f2, f3 = f1 + a, f2 + b, f3 + c
    end
  end
  return f1, f2, f3
end

-- How long until enough of a window's oldest admissions have aged out for slot s to take amount (what
-- this batch reserved is the newest: it leaves last, a whole window from now).
local function wait(set, now, s, used, amount, limit)
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
`;

/**
 * Admits one request: checks every limit first and takes nothing unless all pass. (The batch script
 * below decides a batch of one the same way; this one does less, which a quiet gateway's Redis, its
 * caches cold between requests, feels most.)
 *
 * KEYS: each store's key in order, a window's sum key right after its log. ARGV: now, now − 60 s, lease
 * id, lease expiry, when the lease set may expire, now + `agingMs` (ms, as strings), then per store:
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
export const admitOneScript = `
local now = tonumber(ARGV[1])
local cutoff = ARGV[2]
local W, C = 119, 99 -- string.byte('w'), string.byte('c')
local fields, budgetFields = {'r', 'i', 'o'}, {'i', 'o', 't'}
${windowHelpers}
-- Per store i: its kind, first KEYS index and ARGV index; per slot 3i-2..3i: limit, amount (and the
-- amount as given, to add without turning a number back into a string), used. The tables are made at
-- their size (for ${presizedStores} stores): grown slot by slot, each was rehashed four or five times, which cost about as
-- much as the string.match and tonumber calls of reading the specs. No limit (-1) and nothing reserved (0)
-- are told apart without tonumber (a strtod).
local kind, keyAt, argAt = ${storeZeros}, ${storeZeros}, ${storeZeros}
local aged, fresh = ${storeFalses}, ${storeFalses}
local L, M, A, U = ${slotZeros}, ${slotZeros}, ${slotZeros}, ${slotZeros}
local n, k, a = 0, 1, 7
while ARGV[a] do
  n = n + 1
  local spec = ARGV[a]
  local c = string.byte(spec)
  kind[n], keyAt[n], argAt[n] = c, k, a
  local b = 3 * n
  if c == C then
    L[b - 2], M[b - 2] = tonumber(string.sub(spec, 3)), 1
    k, a = k + 1, a + 1
  else
    local l1, l2, l3, m1, m2, m3 = string.match(spec, '^.,(%-?%d+),(%-?%d+),(%-?%d+),(%d+),(%d+),(%d+)$')
    L[b - 2] = l1 == '-1' and -1 or tonumber(l1)
    L[b - 1] = l2 == '-1' and -1 or tonumber(l2)
    L[b] = l3 == '-1' and -1 or tonumber(l3)
    M[b - 2] = m1 == '0' and 0 or tonumber(m1)
    M[b - 1] = m2 == '0' and 0 or tonumber(m2)
    M[b] = m3 == '0' and 0 or tonumber(m3)
    A[b - 2], A[b - 1], A[b] = m1, m2, m3
    k, a = k + (c == W and 2 or 1), a + 2
  end
end

-- The first slot of store i that the request does not fit in, or nil.
local function over(i)
  local b = 3 * i
  for s = b - 2, b do
    if L[s] >= 0 and U[s] + M[s] > L[s] then return s - b + 3 end
  end
end

for i = 1, n do
  local c, key, b = kind[i], KEYS[keyAt[i]], 3 * i
  if c == W then
    local sum = KEYS[keyAt[i] + 1]
    local v = redis.call('HMGET', sum, 'r', 'i', 'o', 'next')
    local due = tonumber(v[4])
    if due then
      U[b - 2], U[b - 1], U[b] = tonumber(v[1]), tonumber(v[2]), tonumber(v[3])
    else
      -- No sums (a new window, or they were lost): count what the log holds.
      age(key, cutoff)
      local r, p, o = 0, 0, 0
      for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
        local x, y, z = string.match(member, '^(%-?%d+),(%-?%d+),(%-?%d+)')
        r, p, o = r + x, p + y, o + z
      end
      redis.call('HSET', sum, 'r', r, 'i', p, 'o', o, 'next', ARGV[6])
      U[b - 2], U[b - 1], U[b], aged[i] = r, p, o, true
    end
    local s = over(i)
    if not aged[i] and (s or now >= due) then
      local f1, f2, f3 = age(key, cutoff)
      if f1 ~= 0 then U[b - 2] = redis.call('HINCRBY', sum, 'r', -f1) end
      if f2 ~= 0 then U[b - 1] = redis.call('HINCRBY', sum, 'i', -f2) end
      if f3 ~= 0 then U[b] = redis.call('HINCRBY', sum, 'o', -f3) end
      redis.call('HSET', sum, 'next', ARGV[6])
      aged[i] = true
      s = over(i)
    end
    -- Whenever a window ages, its log and sums get one new expiry (the log's once it holds this
    -- admission), so the sums never outlive the log.
    if aged[i] then redis.call('PEXPIRE', sum, '${windowMs * 2}') end
    if s then
      if aged[i] then redis.call('PEXPIRE', key, '${windowMs * 2}') end
      local used, limit, amount = U[b - 3 + s], L[b - 3 + s], M[b - 3 + s]
      local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]
      local reset = newest and tonumber(newest) + ${windowMs} - now or 0
      if amount > limit then return {0, i, s, -1, used, reset} end
      return {0, i, s, wait(key, now, s, used, amount, limit), used, reset}
    end
  elseif c == C then
    local held = redis.call('ZCARD', key)
    if held + 1 > L[b - 2] then
      -- Leases of gateways that died count until they expire: sweep those first.
      redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
      held = redis.call('ZCARD', key)
      if held + 1 > L[b - 2] then return {0, i, 1, 1000, held, 0} end
    end
    U[b - 2] = held
  else
    local v = redis.call('HMGET', key, 'i', 'o', 't')
    U[b - 2], U[b - 1], U[b] = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
    -- A period's counter gets its expiry once, when this admission creates it (nothing else does).
    fresh[i] = not (v[1] or v[2] or v[3])
    local s = over(i)
    if s then
      local periodEnd = tonumber(string.match(ARGV[argAt[i] + 1], '^(%d+),'))
      if M[b - 3 + s] > L[b - 3 + s] then return {0, i, s, -1, U[b - 3 + s], periodEnd - now} end
      return {0, i, s, periodEnd - now, U[b - 3 + s], periodEnd - now}
    end
  end
end

-- One number, then three per store (made at its final length, as the tables above).
local out = {1, unpack(M, 1, 3 * n)}
for i = 1, n do
  local c, key, b = kind[i], KEYS[keyAt[i]], 3 * i
  if c == C then
    redis.call('ZADD', key, ARGV[4], ARGV[3])
    redis.call('PEXPIREAT', key, ARGV[5])
    out[b - 1], out[b], out[b + 1] = U[b - 2] + 1, 0, 0
  else
    local counter = key
    if c == W then
      redis.call('ZADD', key, ARGV[1], ARGV[argAt[i] + 1])
      if aged[i] then redis.call('PEXPIRE', key, '${windowMs * 2}') end
      counter = KEYS[keyAt[i] + 1]
    end
    local names = c == W and fields or budgetFields
    for s = b - 2, b do
      if M[s] ~= 0 then U[s] = redis.call('HINCRBY', counter, names[s - b + 3], A[s]) end
    end
    if c ~= W and fresh[i] then redis.call('PEXPIREAT', key, string.match(ARGV[argAt[i] + 1], ',(%d+)$')) end
    out[b - 1], out[b], out[b + 1] = U[b - 2], U[b - 1], U[b]
  end
end
return out
`;

/**
 * Admits a batch of requests of one team that share their stores and limits (the same plan layout), in
 * order, each as if alone: a request is checked against what those before it in the batch reserved, and
 * takes nothing unless all its limits pass. The batch shares one time, its limits and its expiry times,
 * told once; the state is read once and written once, and each window gets one member for all that the
 * batch reserved there (the members share their time, so one ages out when they all would). So a busy
 * gateway pays the script's fixed costs, and a window's log its growth, once per batch instead of once
 * per request. A batch of one is decided exactly as `admitOneScript` decides it (a test
 * holds the two to it).
 *
 * KEYS: each store's key in order, a window's sum key right after its log. ARGV: the number of requests,
 * now, now − 60 s, lease expiry, when the lease set may expire, now + `agingMs` (ms, as strings), the
 * number of stores, then per store:
 * - window: `w,<limit r>,<limit i>,<limit o>` (limit -1: none);
 * - concurrency: `c,<limit>`;
 * - budget: `b,<limit i>,<limit o>,<limit t>,<period end>,<expiry>`;
 *
 * then per request its lease id and, for each store that is not a lease set, its amounts `<r>,<i>,<o>`
 * (a budget's `<i>,<o>,<t>`).
 *
 * Returns one row per request, each `max(6, 1 + 3 × stores)` numbers (zero-padded): `1, …` with three
 * numbers per store when admitted — what each slot of a window or budget holds after the reservation, how
 * many leases are held — or `0, store, slot, retryAfterMs, used, resetMs` naming the first limit that
 * refused (`retryAfterMs` -1: the request can never fit; `resetMs`: until a window is wholly free again).
 */
export const admitScript = `
local N, now, cutoff, n = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[7])
local W, C = 119, 99 -- string.byte('w'), string.byte('c')
local fields, budgetFields = {'r', 'i', 'o'}, {'i', 'o', 't'}

${windowHelpers}
-- Per store i: its kind, first KEYS index, where its amounts sit in a request's ARGV (0: a lease set has
-- none), a budget's period end and expiry; per slot 3i-2..3i: its limit. P: how many ARGV a request has.
local kind, keyAt, amountAt, periodEnd, expiry, L = {}, {}, {}, {}, {}, {}
local k, P = 1, 1
for i = 1, n do
  local spec = ARGV[7 + i]
  local c = string.byte(spec)
  kind[i], keyAt[i], amountAt[i] = c, k, 0
  local b = 3 * i
  if c == C then
    L[b - 2], L[b - 1], L[b] = tonumber(string.sub(spec, 3)), -1, -1
    k = k + 1
  else
    local l1, l2, l3, rest = string.match(spec, '^.,(%-?%d+),(%-?%d+),(%-?%d+)(.*)$')
    L[b - 2], L[b - 1], L[b] = tonumber(l1), tonumber(l2), tonumber(l3)
    P = P + 1
    amountAt[i] = P
    if c == W then
      k = k + 2
    else
      local e, x = string.match(rest, '^,(%d+),(%d+)$')
      periodEnd[i], expiry[i] = tonumber(e), x
      k = k + 1
    end
  end
end
local width = math.max(6, 1 + 3 * n)

-- Per slot: U what Redis holds, R what this batch reserved on top (S: that amount as given, while one
-- request alone reserved it, to write without turning a number back into a string). Per store: whether
-- it was read, aged, swept, whether it is a new budget period.
local U, R, S, read, aged, swept, fresh, due = {}, {}, {}, {}, {}, {}, {}, {}
for s = 1, 3 * n do R[s] = 0 end
-- The admitted requests' leases as ZADD takes them, and the first admitted lease (a window member's id).
local leases, first = {}, nil

-- A request's amounts (numbers and strings), once per distinct string.
local parsed = {}
local function amounts(given)
  local got = parsed[given]
  if not got then
    local m1, m2, m3 = string.match(given, '^(%d+),(%d+),(%d+)$')
    got = {tonumber(m1), tonumber(m2), tonumber(m3), m1, m2, m3}
    parsed[given] = got
  end
  return got
end

local M, A = {}, {}
-- The first slot of store i that the request does not fit in, or nil.
local function over(i)
  local b = 3 * i
  for s = b - 2, b do
    if L[s] >= 0 and U[s] + R[s] + M[s] > L[s] then return s - b + 3 end
  end
end

-- Checks store i for the current request; returns its refusal row, or nil.
local function check(i)
  local c, key, b = kind[i], KEYS[keyAt[i]], 3 * i
  if c == W then
    local sum = KEYS[keyAt[i] + 1]
    if not read[i] then
      read[i] = true
      local v = redis.call('HMGET', sum, 'r', 'i', 'o', 'next')
      due[i] = tonumber(v[4])
      if due[i] then
        U[b - 2], U[b - 1], U[b] = tonumber(v[1]), tonumber(v[2]), tonumber(v[3])
      else
        -- No sums (a new window, or they were lost): count what the log holds.
        age(key, cutoff)
        local x, y, z = 0, 0, 0
        for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
          local p, q, o = string.match(member, '^(%-?%d+),(%-?%d+),(%-?%d+)')
          x, y, z = x + p, y + q, z + o
        end
        redis.call('HSET', sum, 'r', x, 'i', y, 'o', z, 'next', ARGV[6])
        U[b - 2], U[b - 1], U[b], aged[i] = x, y, z, true
      end
    end
    -- Aged at most once a batch: when due, or before a refusal.
    local s = over(i)
    if not aged[i] and (s or now >= due[i]) then
      local f1, f2, f3 = age(key, cutoff)
      if f1 ~= 0 then U[b - 2] = redis.call('HINCRBY', sum, 'r', -f1) end
      if f2 ~= 0 then U[b - 1] = redis.call('HINCRBY', sum, 'i', -f2) end
      if f3 ~= 0 then U[b] = redis.call('HINCRBY', sum, 'o', -f3) end
      redis.call('HSET', sum, 'next', ARGV[6])
      aged[i] = true
      s = over(i)
    end
    if s then
      local x = b - 3 + s
      local used, limit, amount = U[x] + R[x], L[x], M[x]
      -- What this batch reserved is the newest: it leaves a whole window from now.
      local reset = ${windowMs}
      if not first then
        local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]
        reset = newest and tonumber(newest) + ${windowMs} - now or 0
      end
      if amount > limit then return {0, i, s, -1, used, reset} end
      return {0, i, s, wait(key, now, s, used, amount, limit), used, reset}
    end
  elseif c == C then
    if not read[i] then
      read[i] = true
      U[b - 2] = redis.call('ZCARD', key)
    end
    if U[b - 2] + R[b - 2] + 1 > L[b - 2] and not swept[i] then
      -- Leases of gateways that died count until they expire: sweep those first.
      swept[i] = true
      redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
      U[b - 2] = redis.call('ZCARD', key)
    end
    if U[b - 2] + R[b - 2] + 1 > L[b - 2] then return {0, i, 1, 1000, U[b - 2] + R[b - 2], 0} end
  else
    if not read[i] then
      read[i] = true
      local v = redis.call('HMGET', key, 'i', 'o', 't')
      U[b - 2], U[b - 1], U[b] = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
      -- A period's counter gets its expiry once, when an admission creates it (nothing else does).
      fresh[i] = not (v[1] or v[2] or v[3])
    end
    local s = over(i)
    if s then
      local x = b - 3 + s
      local reset = periodEnd[i] - now
      if M[x] > L[x] then return {0, i, s, -1, U[x] + R[x], reset} end
      return {0, i, s, reset, U[x] + R[x], reset}
    end
  end
end

local out = {}
for r = 1, N do
  local base = 7 + n + (r - 1) * P
  for i = 1, n do
    local b = 3 * i
    if kind[i] == C then
      M[b - 2], M[b - 1], M[b] = 1, 0, 0
    else
      local got = amounts(ARGV[base + amountAt[i]])
      M[b - 2], M[b - 1], M[b], A[b - 2], A[b - 1], A[b] = got[1], got[2], got[3], got[4], got[5], got[6]
    end
  end
  local refusal
  for i = 1, n do
    refusal = check(i)
    if refusal then break end
  end
  local row = #out
  if refusal then
    for j = 1, 6 do out[row + j] = refusal[j] end
    for j = 7, width do out[row + j] = 0 end
  else
    local lease = ARGV[base + 1]
    first = first or lease
    leases[#leases + 1], leases[#leases + 2] = ARGV[4], lease
    out[row + 1] = 1
    for i = 1, n do
      local b = 3 * i
      if kind[i] == C then
        R[b - 2] = R[b - 2] + 1
        out[row + b - 1], out[row + b], out[row + b + 1] = U[b - 2] + R[b - 2], 0, 0
      else
        for s = b - 2, b do
          if M[s] ~= 0 then
            if R[s] == 0 then S[s] = A[s] else S[s] = nil end
            R[s] = R[s] + M[s]
          end
          out[row + s + 1] = U[s] + R[s]
        end
      end
    end
    for j = 2 + 3 * n, width do out[row + j] = 0 end
  end
end

for i = 1, n do
  local c, key, b = kind[i], KEYS[keyAt[i]], 3 * i
  if c == C then
    if first then
      redis.call('ZADD', key, unpack(leases))
      redis.call('PEXPIREAT', key, ARGV[5])
    end
  else
    local counter = key
    if c == W then
      counter = KEYS[keyAt[i] + 1]
      -- One member for the batch: what it reserved in all (the amounts as given where one request did).
      if first then
        local member = (S[b - 2] or R[b - 2]) .. ',' .. (S[b - 1] or R[b - 1]) .. ',' .. (S[b] or R[b]) .. '|' .. first
        redis.call('ZADD', key, ARGV[2], member)
      end
      -- Whenever a window ages, its log and sums get one new expiry, so the sums never outlive the log.
      if aged[i] then
        redis.call('PEXPIRE', counter, '${windowMs * 2}')
        redis.call('PEXPIRE', key, '${windowMs * 2}')
      end
    end
    local names = c == W and fields or budgetFields
    for s = b - 2, b do
      if R[s] ~= 0 then redis.call('HINCRBY', counter, names[s - b + 3], S[s] or R[s]) end
    end
    if c ~= W and fresh[i] and first then redis.call('PEXPIREAT', key, expiry[i]) end
  end
end
return out
`;

/**
 * Settles a batch of finished requests of one team: in each window and budget what a request used
 * replaces its reservation, and its lease is released. A window keeps the reservation's member and adds
 * the difference as a second member at the admission's time, so both age out together, on schedule (the
 * caller sums the differences of the requests admitted at one time into one); a batch writes each sums
 * key, log and lease set once. The caller passes only what has something to do (a window whose admission
 * already aged out no longer counts either way).
 *
 * KEYS: the stores the batch touches (a window's sum key right after its log). ARGV, one entry per
 * operation, `k` the store's index in KEYS:
 * - `c,<k>,<lease>`: release a lease;
 * - `w,<k>,<admission time>,<used − reserved r>,<i>,<o>` then the difference's member
 *   `<r>,<i>,<o>|<lease>:settled` (the lease of one of the requests it sums);
 * - `b,<k>,<used − reserved i>,<o>,<t>` (a budget period that ended, its counter gone, stays gone).
 */
export const settleScript = `
local sums = {}
local function add(index, d1, d2, d3)
  local entry = sums[index]
  if not entry then
    entry = {0, 0, 0, {}, false}
    sums[index] = entry
  end
  entry[1], entry[2], entry[3] = entry[1] + d1, entry[2] + d2, entry[3] + d3
  return entry
end

-- Leases to release, by lease set.
local leases = {}
local a = 1
while ARGV[a] do
  local op = ARGV[a]
  local kind = string.sub(op, 1, 1)
  if kind == 'c' then
    local k, lease = string.match(op, '^c,(%d+),(.+)$')
    local set = leases[k]
    if not set then
      set = {}
      leases[k] = set
    end
    set[#set + 1] = lease
    a = a + 1
  elseif kind == 'w' then
    local k, at, d1, d2, d3 = string.match(op, '^w,(%d+),(%d+),(%-?%d+),(%-?%d+),(%-?%d+)$')
    local entry = add(tonumber(k) + 1, d1, d2, d3)
    local members = entry[4]
    entry[5], members[#members + 1], members[#members + 2] = tonumber(k), at, ARGV[a + 1]
    a = a + 2
  else
    local k, d1, d2, d3 = string.match(op, '^b,(%d+),(%-?%d+),(%-?%d+),(%-?%d+)$')
    add(tonumber(k), d1, d2, d3)
    a = a + 1
  end
end

for k, set in pairs(leases) do redis.call('ZREM', KEYS[tonumber(k)], unpack(set)) end

for index, entry in pairs(sums) do
  local key = KEYS[index]
  -- A window's sums and log share one expiry: no sums, no log to add to either.
  if redis.call('EXISTS', key) == 1 then
    if entry[5] then redis.call('ZADD', KEYS[entry[5]], unpack(entry[4])) end
    local names = entry[5] and {'r', 'i', 'o'} or {'i', 'o', 't'}
    for s = 1, 3 do
      if entry[s] ~= 0 then redis.call('HINCRBY', key, names[s], entry[s]) end
    end
  end
end
return 1
`;
