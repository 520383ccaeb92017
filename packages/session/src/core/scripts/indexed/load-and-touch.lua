-- Indexed load-and-touch: reads the session, slides its expiry, and moves its expiry in the
-- ledger and its principal's index along with the TTL. Still one round trip per request.
-- KEYS[4]  the session hash
-- ARGV[4]  the session id
-- ARGV[5]  now, in ms (becomes lastAccess)
-- Returns the hash as a flat field/value list (empty when the session does not exist).
-- Atomic so the TTL and the index scores can never disagree, and so the refresh can never
-- re-create a key that expired between the read and the write.
local key, id = KEYS[4], ARGV[4]
local fields = redis.call('HGETALL', key)
if #fields == 0 then
  return fields
end
local max_inactive, principal
for i = 1, #fields, 2 do
  if fields[i] == 'maxInactive' then
    max_inactive = tonumber(fields[i + 1])
  elseif fields[i] == 'principal' then
    principal = fields[i + 1]
  end
end
-- A hash without a valid maxInactive is not ours; the client reports it as corrupt.
if max_inactive and max_inactive > 0 then
  redis.call('PEXPIRE', key, max_inactive)
  redis.call('HSET', key, 'lastAccess', ARGV[5])
  track(id, principal, NOW + max_inactive)
end
return fields
