-- changeId() where the old and the new key are on one server (standalone, Sentinel): renames the
-- session and applies the request's delta in one step, keeping the TTL. No moment exists at which
-- neither key holds the session, and the old token is dead when this returns.
-- KEYS[1]  the old session hash
-- KEYS[2]  the new session hash
-- ARGV[1]  TTL in ms to use if the old key had none
-- ARGV[2]  n, the number of field/value pairs that follow
-- ARGV[3 .. 2+2n]  field, value, …  (fields to set)
-- ARGV[3+2n ..]    fields to delete
-- Returns 1, or 0 when the old session does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('RENAME', KEYS[1], KEYS[2])
local n = tonumber(ARGV[2])
if n > 0 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 3, 2 + 2 * n))
end
if #ARGV >= 3 + 2 * n then
  redis.call('HDEL', KEYS[2], unpack(ARGV, 3 + 2 * n, #ARGV))
end
if redis.call('PTTL', KEYS[2]) <= 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
return 1
