-- Loads a session and slides its expiry: one round trip for every request that has a session.
-- KEYS[1]  the session hash
-- ARGV[1]  now, in ms (becomes lastAccess)
-- Returns the hash as a flat field/value list (empty when the session does not exist).
-- Atomic so the TTL refresh can never re-create a key that expired between the read and the write.
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then
  return fields
end
local maxInactive
for i = 1, #fields, 2 do
  if fields[i] == 'maxInactive' then
    maxInactive = tonumber(fields[i + 1])
  end
end
-- A hash without a valid maxInactive is not ours; the client reports it as corrupt. A session
-- that a Cluster changeId() is moving (begin-move.lua) is read but not touched: its old key must
-- run out within the grace period.
if maxInactive and maxInactive > 0 and redis.call('HEXISTS', KEYS[1], 'movedTo') == 0 then
  redis.call('PEXPIRE', KEYS[1], maxInactive)
  redis.call('HSET', KEYS[1], 'lastAccess', ARGV[1])
end
return fields
