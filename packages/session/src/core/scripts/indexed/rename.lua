-- Indexed changeId(): renames the session, applies the request's delta, and moves its ledger and
-- index entries, all in one step: no moment exists where the index points at a dead id or misses
-- the live one, and the old token is dead when this returns. Fires no event (the session goes on).
-- KEYS[4]  the old session hash
-- KEYS[5]  the new session hash
-- ARGV[4]  the old id
-- ARGV[5]  the new id
-- ARGV[6]  principal change: '' none, 'set', 'clear'
-- ARGV[7]  the principal (for 'set')
-- ARGV[8]  most sessions per principal, 0 for no limit
-- ARGV[9]  TTL in ms to use if the old key had none
-- ARGV[10] n, the number of field/value pairs that follow
-- ARGV[11 .. 10+2n]  field, value, …  (fields to set)
-- ARGV[11+2n ..]     fields to delete
-- Returns 1, or 0 when the old session does not exist. RENAME keeps the TTL, as changeId must.
local old_key, new_key, old_id, new_id = KEYS[4], KEYS[5], ARGV[4], ARGV[5]
if redis.call('EXISTS', old_key) == 0 then
  return 0
end
untrack(old_id, principal_of(old_key))
redis.call('RENAME', old_key, new_key)
local n = tonumber(ARGV[10])
if n > 0 then
  redis.call('HSET', new_key, unpack(ARGV, 11, 10 + 2 * n))
end
if #ARGV >= 11 + 2 * n then
  redis.call('HDEL', new_key, unpack(ARGV, 11 + 2 * n, #ARGV))
end
local pttl = redis.call('PTTL', new_key)
if pttl <= 0 then
  pttl = tonumber(ARGV[9])
  redis.call('PEXPIRE', new_key, pttl)
end
local change = ARGV[6]
if change == 'set' then
  assign_principal(new_id, new_key, ARGV[7])
elseif change == 'clear' then
  assign_principal(new_id, new_key, nil)
end
local principal = principal_of(new_key)
track(new_id, principal, NOW + pttl)
local max = tonumber(ARGV[8])
if change == 'set' and max > 0 then
  enforce_limit(principal, new_id, max)
end
return 1
