-- Sets one attribute only if it still holds what the caller last read: optimistic concurrency
-- for read-modify-write from many nodes (the cart), with no lock and no lost update.
-- KEYS[1]  the session hash
-- KEYS[2]  the write's record key (see ARGV[7]); the session hash again when it keeps none. Same
--          hash tag as KEYS[1], so the script never crosses a Cluster slot.
-- ARGV[1]  '1' when the session must already exist, '0' when this write may create it
-- ARGV[2]  TTL in ms (maxInactive)
-- ARGV[3]  the attribute's field
-- ARGV[4]  '1' when the caller read a value, '0' when it read none
-- ARGV[5]  the value the caller read (ignored when ARGV[4] is '0')
-- ARGV[6]  the new value
-- ARGV[7]  the record's TTL in ms, '0' when this write keeps no record
-- ARGV[8]  the record: stored at KEYS[2] with the write, for ARGV[7] ms
-- ARGV[9]  a channel to PUBLISH ARGV[10] on once written, '' for none
-- ARGV[10] what is published (the session's public id)
-- ARGV[11 ..] field/value pairs written only when this call creates the session
-- Returns 1 (written), -1 (the session must exist and does not, or is being moved to a new id
-- by changeId() on a Cluster: see begin-move.lua), {2, record} (a write with this record key was
-- made already: nothing is written), or a conflict: {0} (the field is now absent) or
-- {0, current} (the field now holds current).
-- The record and the publish ride in this script so that a keyed write stays one round trip and
-- the record exists exactly when the write does: a crash cannot leave one without the other.
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[1] == '1' and (not exists or redis.call('HEXISTS', KEYS[1], 'movedTo') == 1) then
  return -1
end
local keepsRecord = ARGV[7] ~= '0'
if keepsRecord then
  local recorded = redis.call('GET', KEYS[2])
  if recorded then return {2, recorded} end
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
if not exists and #ARGV > 10 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 11, #ARGV))
end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if keepsRecord then
  redis.call('SET', KEYS[2], ARGV[8], 'PX', ARGV[7])
end
if ARGV[9] ~= '' then
  redis.call('PUBLISH', ARGV[9], ARGV[10])
end
return 1
