-- First step of changeId() on a Cluster, where the old and the new key live in different slots
-- and no script can touch both: copy first, delete last, so the session is never missing.
-- This step reads the old session and marks it as moving: readers still get it (a request that
-- holds the old token keeps working until the copy exists), but writes to it are refused from
-- now on (save-delta and compare-and-set check the mark), so nothing written to the old key can
-- be lost by the copy. Its TTL is cut to a grace period and no longer slides: if the process
-- dies before the last step, the old key disappears by itself within the grace period.
-- KEYS[1]  the old session hash
-- ARGV[1]  the new session id (stored in the mark, for whoever reads the hash meanwhile)
-- ARGV[2]  grace period in ms
-- Returns {pttl, field, value, …} (pttl before the cut), or an empty list when the session does
-- not exist or is already moving (a concurrent changeId() won).
if redis.call('HEXISTS', KEYS[1], 'movedTo') == 1 then
  return {}
end
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then
  return fields
end
local pttl = redis.call('PTTL', KEYS[1])
redis.call('HSET', KEYS[1], 'movedTo', ARGV[1])
if pttl < 0 or pttl > tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
table.insert(fields, 1, pttl)
return fields
