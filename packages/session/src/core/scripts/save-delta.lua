-- Writes only what a request changed: the per-attribute delta.
-- KEYS[1]  the session hash
-- ARGV[1]  '1' when the session must already exist, '0' when this save creates it
-- ARGV[2]  TTL in ms (maxInactive)
-- ARGV[3]  n, the number of field/value pairs that follow
-- ARGV[4 .. 3+2n]  field, value, field, value …  (fields to set)
-- ARGV[4+2n ..]    fields to delete
-- Returns 1, or 0 when the session had to exist and does not (logged out, revoked or expired
-- meanwhile, or being moved to a new id by changeId() on a Cluster): a save must never
-- resurrect a session somebody ended, nor write to a key whose copy is already taken.
-- Atomic so the existence check, the writes and the TTL are one step.
if ARGV[1] == '1' and (redis.call('EXISTS', KEYS[1]) == 0
    or redis.call('HEXISTS', KEYS[1], 'movedTo') == 1) then
  return 0
end
local n = tonumber(ARGV[3])
if n > 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 4, 3 + 2 * n))
end
if #ARGV >= 4 + 2 * n then
  redis.call('HDEL', KEYS[1], unpack(ARGV, 4 + 2 * n, #ARGV))
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
