-- Indexed save-delta: writes the per-attribute delta and, in the same step, the session's
-- principal, its index entries, the per-principal limit and the 'created' event.
-- KEYS[4]  the session hash
-- ARGV[4]  the session id
-- ARGV[5]  '1' when the session must already exist, '0' when this save may create it
-- ARGV[6]  TTL in ms (maxInactive)
-- ARGV[7]  principal change: '' none, 'set', 'clear'
-- ARGV[8]  the principal (for 'set')
-- ARGV[9]  most sessions per principal, 0 for no limit
-- ARGV[10] n, the number of field/value pairs that follow
-- ARGV[11 .. 10+2n]  field, value, …  (fields to set)
-- ARGV[11+2n ..]     fields to delete
-- Returns 1, or 0 when the session had to exist and does not (a save never resurrects it).
-- Atomic so that two logins racing for the last place under the limit are serialized: the
-- second one sees the first one's session and evicts down to the limit.
local key, id = KEYS[4], ARGV[4]
local existed = redis.call('EXISTS', key) == 1
if ARGV[5] == '1' and not existed then
  return 0
end
local n = tonumber(ARGV[10])
if n > 0 then
  redis.call('HSET', key, unpack(ARGV, 11, 10 + 2 * n))
end
if #ARGV >= 11 + 2 * n then
  redis.call('HDEL', key, unpack(ARGV, 11 + 2 * n, #ARGV))
end
redis.call('PEXPIRE', key, ARGV[6])
local change = ARGV[7]
if not existed then
  emit('created', id, change == 'set' and ARGV[8] or nil)
end
if change == 'set' then
  assign_principal(id, key, ARGV[8])
elseif change == 'clear' then
  assign_principal(id, key, nil)
end
local principal = principal_of(key)
track(id, principal, NOW + tonumber(ARGV[6]))
local max = tonumber(ARGV[9])
if change == 'set' and max > 0 then
  enforce_limit(principal, id, max)
end
return 1
