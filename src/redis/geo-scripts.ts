// The scripts of the geo search (see geo-store.ts), under Upstash's key-locking rule like every app script:
// each touches only the keys passed in KEYS, which is why the live entries live in a fixed set of keys
// (keys.lotsLive) that the search declares whole: which lots it finds is known only inside the script.
import { script } from './scripts.ts';

/**
 * The search: it only reads (it runs in the gate's round trip, before the request is admitted). KEYS: the
 * positions, the writers in flight, then the LIVE_BUCKETS live-entry keys, then their versions. ARGV: now (ms),
 * longitude, latitude, radius (m), 'distance' or 'available', rows wanted, the cursor's key.
 *
 * With no positions, or a writer whose deadline has passed (it died between its commit and its change to the
 * positions, so they may be wrong), the answer is 'missing' (the caller repairs them after its answer: see
 * geoRepairScript). Otherwise 'found' and rows {id, distance in 0.1 mm, 'lot', entry} or {id, distance,
 * 'version', the version of the entry's key} for a lot whose entry is missing: for `distance` the first rows
 * after the cursor; for `available` the first rows after the cursor among the lots whose entry is there, and
 * every lot whose entry is missing (its free spots, so its place, are known only once it is read).
 */
export const geoSearchScript = script(`
local buckets = (#KEYS - 2) / 2
local writers = redis.call('HGETALL', KEYS[2])
for i = 2, #writers, 2 do
  if tonumber(string.match(writers[i], '^%d+')) <= tonumber(ARGV[1]) then return {'missing'} end
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local byAvailable = ARGV[5] == 'available'
local cursor = {}
for i = 7, #ARGV do cursor[#cursor + 1] = tonumber(ARGV[i]) end
local function before(a, b)
  for i = 1, #a do
    if a[i] ~= b[i] then return a[i] < b[i] end
  end
  return false
end
local function entries(id) return KEYS[3 + id % buckets] end
local function version(id) return redis.call('GET', KEYS[3 + buckets + id % buckets]) or '' end
local rows, unknown = {}, {}
for _, hit in ipairs(redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[2], ARGV[3], 'BYRADIUS', ARGV[4], 'm', 'WITHDIST')) do
  local id = tonumber(hit[1])
  if id then
    local distance = tonumber((string.gsub(hit[2], '%.', '')))
    local key = {distance, id}
    if byAvailable then
      local available = redis.call('HGET', entries(id), 'a:' .. id)
      key = available and {-tonumber(available), distance, id}
      if not key then unknown[#unknown + 1] = {id, distance, 'version', version(id)} end
    end
    if key and (#cursor == 0 or before(cursor, key)) then rows[#rows + 1] = key end
  end
end
table.sort(rows, before)
local answer = {'found'}
for i = 1, math.min(tonumber(ARGV[6]), #rows) do
  local id, distance = rows[i][#rows[i]], rows[i][#rows[i] - 1]
  local lot = redis.call('HGET', entries(id), 'l:' .. id)
  answer[#answer + 1] = lot and {id, distance, 'lot', lot} or {id, distance, 'version', version(id)}
end
for _, row in ipairs(unknown) do answer[#answer + 1] = row end
return answer`);

/**
 * What a search that found the positions missing asks for after its answer. KEYS: the positions, the writers
 * in flight, the positions' version, the rebuild lock. ARGV: now (ms), a rebuild token, the lock's ms, the
 * version's TTL. The writers whose deadline has passed are dropped, and with them the positions (which they
 * may have left wrong); then, when there are no positions, the lock is taken for the token if free. Answers
 * {1 when locked, else 0; the positions' version}, for a rebuild that must not land over a later change.
 */
export const geoRepairScript = script(`
local writers = redis.call('HGETALL', KEYS[2])
local died = false
for i = 1, #writers, 2 do
  if tonumber(string.match(writers[i + 1], '^%d+')) <= tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[2], writers[i])
    died = true
  end
end
if died then
  redis.call('DEL', KEYS[1])
  redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[4])
end
local locked = redis.call('EXISTS', KEYS[1]) == 0 and redis.call('SET', KEYS[4], ARGV[2], 'NX', 'PX', ARGV[3])
return {locked and 1 or 0, redis.call('GET', KEYS[3]) or ''}`);

/**
 * A fill of live entries, a compare-and-set like the cache's fill (scripts.ts). KEYS: the entries' key, its
 * version. ARGV: the version seen before the lots were read, TTL seconds, then (id, available, lot)
 * triples.
 */
export const liveFillScript = script(`
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
for i = 3, #ARGV, 3 do
  redis.call('HSET', KEYS[1], 'a:' .. ARGV[i], ARGV[i + 1], 'l:' .. ARGV[i], ARGV[i + 2])
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`);

/**
 * A position write, after its commit. KEYS: the positions, the writers, the positions' version. ARGV: the
 * writer's token, the version's TTL, what ('add', 'remove', 'forget' when the write may or may not have
 * committed, 'release' when it committed nothing), the lot id, '1' for a lot just created, longitude, latitude.
 * Another writer in flight on the same lot (or a creation, whose lot is not known yet, unless this is one too)
 * may apply its older change after this one: then the positions are dropped, to be rebuilt from PostgreSQL.
 */
export const geoApplyScript = script(`
redis.call('HDEL', KEYS[2], ARGV[1])
if ARGV[3] == 'release' then return 1 end
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
local clash = ARGV[3] == 'forget'
for _, writer in ipairs(redis.call('HVALS', KEYS[2])) do
  local lot = string.match(writer, ' (%d+)$')
  if lot == ARGV[4] or (lot == '0' and ARGV[5] ~= '1') then clash = true end
end
if clash then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == 'add' then
  redis.call('GEOADD', KEYS[1], ARGV[6], ARGV[7], ARGV[4])
else
  redis.call('ZREM', KEYS[1], ARGV[4])
end
return 1`);

/**
 * The end of a rebuild. KEYS: the positions, their version, the rebuild lock, the rebuild's scratch set. ARGV:
 * the version seen when the rebuild began, the rebuild's token, '1' to give up. The scratch set replaces the
 * positions only if no position write was applied meanwhile and the lock is still this rebuild's; a member that
 * is not a lot id marks the set as built, so that it exists even when no lot has a position.
 */
export const geoRebuiltScript = script(`
local mine = redis.call('GET', KEYS[3]) == ARGV[2]
if mine then redis.call('DEL', KEYS[3]) end
if ARGV[3] == '1' or not mine or (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then
  redis.call('DEL', KEYS[4])
  return 0
end
redis.call('GEOADD', KEYS[4], 0, 0, 'built')
redis.call('RENAME', KEYS[4], KEYS[1])
redis.call('PERSIST', KEYS[1])
return 1`);
