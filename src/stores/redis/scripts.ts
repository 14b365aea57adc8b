import { createHash } from 'node:crypto';

/**
 * The Lua the Redis store runs. One script decides every hit of a request
 * (one round trip), reading all counters first and writing only when all
 * are allowed, so the all-or-nothing rule holds under any concurrency:
 * Redis runs a script atomically. The algorithms are the ones in
 * `src/rate-limit/algorithms/`, line for line; the shared store test suite
 * holds both to the same answers.
 *
 * Time is Redis's own (`TIME`) so every instance counts on one clock,
 * unless ARGV[1] carries one (tests with a fake clock).
 */
const PRELUDE = `
local call, floor, ceil, max, min = redis.call, math.floor, math.ceil, math.max, math.min
local unpack, pack = struct.unpack, struct.pack
local now = tonumber(ARGV[1])
if not now then
  local t = call('TIME')
  now = t[1] * 1000 + floor(t[2] / 1000)
end
`;

/** State is three doubles, packed (24 bytes): no number formatting or parsing per call. */
const PARSE = `
local function parse(raw)
  if not raw or #raw ~= 24 then return nil end
  return unpack('ddd', raw)
end
`;

/**
 * KEYS: one per hit. ARGV: [now or ''], then per hit: algorithm (1 sliding
 * window, 2 fixed window, 3 GCRA), limit, window ms, burst, cost.
 * Returns [all allowed 0/1, then per hit: allowed, remaining, reset ms, retry-after ms].
 *
 * Written for Redis's time, which a one-caller client waits on in full:
 * every `local function` is a closure made on each call, so it makes one
 * (`write`), and for the common single hit no table but the reply.
 * `npm run bench:ratelimit` reports the script's own time per call.
 */
export const CONSUME_SCRIPT = `${PRELUDE}
local COUNT_EPS, TIME_EPS = 1e-9, 1e-3
-- ttl -1 keeps the key's expiry (SETRANGE rewrites the 24 bytes in place,
-- cheaper than a new value); 0 or less means the state is empty.
local function write(key, a, b, c, ttl)
  if ttl == -1 then call('SETRANGE', key, 0, pack('ddd', a, b, c))
  elseif ttl > 0 then call('SET', key, pack('ddd', a, b, c), 'PX', ttl)
  else call('DEL', key) end
end
local n = #KEYS
-- Only a request with several hits needs its answers and new states kept until all are decided.
local out, pending
if n > 1 then out = {1}; pending = {} end
for i = 1, n do
  local base = 1 + (i - 1) * 5
  local alg = tonumber(ARGV[base + 1])
  local limit = tonumber(ARGV[base + 2])
  local win = tonumber(ARGV[base + 3])
  local cost = tonumber(ARGV[base + 5])
  local raw = call('GET', KEYS[i])
  local s0, s1, s2
  if raw and #raw == 24 then s0, s1, s2 = unpack('ddd', raw) end -- PARSE, inlined: one closure less per call
  local allowed, remaining, reset, retry, n0, n1, n2, expires
  local keep = false
  if alg == 1 then
    local start, prev, curr = 0, 0, 0
    if s0 and s0 >= 0 and now >= s0 and now - s0 < win then
      start = s0; prev = s1; curr = s2
    else
      start = now - (now % win)
      if s0 and s0 == start - win then prev = s2 end
    end
    local elapsed = now - start
    local weighted = 0
    if prev ~= 0 then weighted = prev * (win - elapsed) / win end
    if weighted + curr + cost <= limit + COUNT_EPS then
      curr = curr + cost; allowed = 1; retry = 0
    else
      allowed = 0
      local wait
      if cost > limit then wait = win
      elseif curr + cost <= limit then wait = win * (1 - (limit - curr - cost) / prev) - elapsed
      else
        local into = 0
        if curr > 0 then into = max(0, win * (1 - (limit - cost) / curr)) end
        wait = win - elapsed + into
      end
      retry = max(1, ceil(wait - COUNT_EPS))
    end
    remaining = max(0, floor(limit - weighted - curr + COUNT_EPS))
    if curr > 0 then reset = start + 2 * win - now elseif prev > 0 then reset = start + win - now else reset = 0 end
    n0 = start; n1 = prev; n2 = curr; expires = now + reset
    -- Same window, already counting: the key's TTL (window end + one window) is right as it is.
    if s0 == start and s2 > 0 and curr > 0 then keep = true end
  elseif alg == 2 then
    local start, count = now, 0
    if s0 and now < s0 + win then start = s0; count = s1 end
    if count + cost <= limit then
      count = count + cost; allowed = 1; retry = 0
    else
      allowed = 0
      if cost > limit then retry = win else retry = max(1, start + win - now) end
    end
    remaining = max(0, limit - count)
    if count > 0 then reset = start + win - now else reset = 0 end
    n0 = start; n1 = count; n2 = 0; expires = start + win
    if s0 == start then keep = true end
  else
    local burst = tonumber(ARGV[base + 4])
    local interval = win / limit
    local capacity = burst * interval
    local tat = now
    if s0 and s0 > now then tat = s0 end
    local nxt = tat + cost * interval
    local kept
    if nxt - now <= capacity + TIME_EPS then
      kept = nxt; allowed = 1; retry = 0
    else
      kept = tat; allowed = 0
      if cost > burst then retry = win else retry = max(1, ceil(nxt - capacity - now - TIME_EPS)) end
    end
    remaining = max(0, floor((capacity - (kept - now) + TIME_EPS) / interval))
    reset = max(0, ceil(kept - now - TIME_EPS))
    n0 = kept; n1 = 0; n2 = 0; expires = kept
  end
  local ttl = -1
  if not keep then ttl = ceil(expires - now) end
  if n == 1 then
    -- One hit: nothing else to agree with, write now.
    if allowed == 1 then write(KEYS[1], n0, n1, n2, ttl) end
    return {allowed, allowed, remaining, ceil(reset), retry}
  end
  if allowed == 0 then out[1] = 0 end
  local at = 2 + (i - 1) * 4
  out[at] = allowed; out[at + 1] = remaining; out[at + 2] = ceil(reset); out[at + 3] = retry
  local w = (i - 1) * 4
  pending[w + 1] = n0; pending[w + 2] = n1; pending[w + 3] = n2; pending[w + 4] = ttl
end
if out[1] == 1 then
  for i = 1, n do
    local w = (i - 1) * 4
    write(KEYS[i], pending[w + 1], pending[w + 2], pending[w + 3], pending[w + 4])
  end
end
return out
`;

/**
 * Gives back what a consume counted, for Redis Cluster requests whose rules
 * live in different hash slots: each slot is decided in its own call, and
 * when one rejects, the others are refunded. KEYS and ARGV as for consume.
 */
export const REFUND_SCRIPT = `${PRELUDE}${PARSE}for i = 1, #KEYS do
  local base = 1 + (i - 1) * 5
  local alg = tonumber(ARGV[base + 1])
  local limit = tonumber(ARGV[base + 2])
  local win = tonumber(ARGV[base + 3])
  local cost = tonumber(ARGV[base + 5])
  local s0, s1, s2 = parse(call('GET', KEYS[i]))
  if s0 then
    if alg == 1 then
      -- The count the request went into is s2, whether that window is still current or now the previous one.
      s2 = max(0, s2 - cost)
    elseif alg == 2 then
      s1 = max(0, s1 - cost)
    else
      s0 = max(now, s0 - cost * win / limit)
    end
    call('SET', KEYS[i], pack('ddd', s0, s1, s2), 'KEEPTTL')
  end
end
return 1
`;

/**
 * Brute-force penalties. KEYS: one per penalty key. ARGV: [now or ''],
 * operation ('s' status, 'f' failure), then per key: threshold, first block
 * ms, longest block ms, forget-after ms. State: failures, blocked-until,
 * forget-at (the expiry is also the key's TTL; kept in the value so a
 * caller's clock decides, as in the memory store). Returns the longest block in force, in ms.
 */
export const PENALTY_SCRIPT = `${PRELUDE}${PARSE}local op = ARGV[2]
local longest = 0
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 4
  local failures, blocked, forget_at = parse(call('GET', KEYS[i]))
  if forget_at and forget_at <= now then failures = nil; blocked = nil end
  if op == 's' then
    if blocked and blocked - now > longest then longest = blocked - now end
  else
    local threshold = tonumber(ARGV[base + 1])
    local first = tonumber(ARGV[base + 2])
    local longest_block = tonumber(ARGV[base + 3])
    local forget = tonumber(ARGV[base + 4])
    failures = (failures or 0) + 1
    local block = 0
    if failures >= threshold then block = min(longest_block, first * 2 ^ (failures - threshold)) end
    local keep = max(block, forget)
    call('SET', KEYS[i], pack('ddd', failures, now + block, now + keep), 'PX', ceil(keep))
    if block > longest then longest = block end
  end
end
return ceil(longest)
`;

export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return Object.freeze({ source, sha: createHash('sha1').update(source).digest('hex') });
}

export const SCRIPTS = Object.freeze({ consume: script(CONSUME_SCRIPT), refund: script(REFUND_SCRIPT), penalty: script(PENALTY_SCRIPT) });
