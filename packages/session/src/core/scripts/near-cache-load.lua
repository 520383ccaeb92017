-- The near cache's load: reads a session, and slides its expiry only when the TTL has run down
-- by the touch interval. Touching on every read (load-and-touch.lua) would write the hash on
-- every read, and every write invalidates the session in every other node's near cache.
-- Runs on the near cache's own connection, with CLIENT TRACKING ON ... NOLOOP: the reads here
-- make Valkey remember the key for this connection, and NOLOOP keeps this connection's own touch
-- from invalidating it. A write drops the key from the tracking table for everybody, so after a
-- touch a read (EXISTS) tracks it again; without it the next change would go unnoticed.
-- KEYS[1]  the session hash
-- ARGV[1]  now, in ms (becomes lastAccess when this read touches)
-- ARGV[2]  the touch interval in ms, before the cap at a quarter of maxInactive (near-cache.ts)
-- Returns the hash as a flat field/value list as it was before the touch (empty when absent).
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
-- A hash without a valid maxInactive is not ours; the client reports it as corrupt.
if maxInactive and maxInactive > 0 then
  local interval = math.min(tonumber(ARGV[2]), math.floor(maxInactive / 4))
  -- The server's own clock decides (PTTL), so skew between the nodes' clocks cannot starve a touch.
  local pttl = redis.call('PTTL', KEYS[1])
  if pttl < 0 or pttl <= maxInactive - interval then
    redis.call('PEXPIRE', KEYS[1], maxInactive)
    redis.call('HSET', KEYS[1], 'lastAccess', ARGV[1])
    redis.call('EXISTS', KEYS[1])
  end
end
return fields
