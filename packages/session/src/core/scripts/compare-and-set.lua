-- Sets one attribute only if it still holds what the caller last read: optimistic concurrency
-- for read-modify-write from many nodes (the cart), with no lock and no lost update.
-- KEYS[1]  the session hash
-- ARGV[1]  '1' when the session must already exist, '0' when this write may create it
-- ARGV[2]  TTL in ms (maxInactive)
-- ARGV[3]  the attribute's field
-- ARGV[4]  '1' when the caller read a value, '0' when it read none
-- ARGV[5]  the value the caller read (ignored when ARGV[4] is '0')
-- ARGV[6]  the new value
-- ARGV[7 ..] field/value pairs written only when this call creates the session
-- Returns 1 (written), -1 (the session must exist and does not, or is being moved to a new id
-- by changeId() on a Cluster: see begin-move.lua), or a conflict:
-- {0} (the field is now absent) or {0, current} (the field now holds current).
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[1] == '1' and (not exists or redis.call('HEXISTS', KEYS[1], 'movedTo') == 1) then
  return -1
end
local current = redis.call('HGET', KEYS[1], ARGV[3])
if ARGV[4] == '1' then
  if current ~= ARGV[5] then
    if current then return {0, current} end
    return {0}
  end
elseif current then
  return {0, current}
end
if not exists and #ARGV > 6 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 7, #ARGV))
end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
