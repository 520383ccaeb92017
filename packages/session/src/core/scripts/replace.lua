-- Writes a session whole, replacing whatever the key held: BatonStore's save of a session that
-- this process did not read (a new one, or one read by another host object), so that keys the
-- app no longer has do not survive.
-- KEYS[1]  the session hash
-- ARGV[1]  TTL in ms
-- ARGV[2 ..]  field, value, field, value …
-- Returns 1. Atomic so no reader sees the key emptied and not yet refilled.
redis.call('DEL', KEYS[1])
if #ARGV >= 3 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 2, #ARGV))
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 1
