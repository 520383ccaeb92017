-- Indexed compare-and-set: compare-and-set.lua plus the index scores and the 'created' event
-- when this write creates the session.
-- KEYS[4]  the session hash
-- KEYS[5]  the write's record key (see ARGV[11]); the session hash again when it keeps none
-- ARGV[4]  the session id
-- ARGV[5]  '1' when the session must already exist, '0' when this write may create it
-- ARGV[6]  TTL in ms (maxInactive)
-- ARGV[7]  the attribute's field
-- ARGV[8]  '1' when the caller read a value, '0' when it read none
-- ARGV[9]  the value the caller read (ignored when ARGV[8] is '0')
-- ARGV[10] the new value
-- ARGV[11] the record's TTL in ms, '0' when this write keeps no record
-- ARGV[12] the record, stored at KEYS[5] with the write
-- ARGV[13] a channel to PUBLISH ARGV[14] on once written, '' for none
-- ARGV[14] what is published (the session's public id)
-- ARGV[15 ..] field/value pairs written only when this call creates the session
-- Returns 1 (written), -1 (the session must exist and does not), {2, record} (already made under
-- this record: nothing written), or a conflict: {0} (the field is now absent) or {0, current}.
local key, id = KEYS[4], ARGV[4]
local exists = redis.call('EXISTS', key) == 1
if ARGV[5] == '1' and not exists then
  return -1
end
local keepsRecord = ARGV[11] ~= '0'
if keepsRecord then
  local recorded = redis.call('GET', KEYS[5])
  if recorded then return {2, recorded} end
end
local current = redis.call('HGET', key, ARGV[7])
if ARGV[8] == '1' then
  if current ~= ARGV[9] then
    if current then return {0, current} end
    return {0}
  end
elseif current then
  return {0, current}
end
if not exists and #ARGV > 14 then
  redis.call('HSET', key, unpack(ARGV, 15, #ARGV))
end
redis.call('HSET', key, ARGV[7], ARGV[10])
redis.call('PEXPIRE', key, ARGV[6])
if keepsRecord then
  redis.call('SET', KEYS[5], ARGV[12], 'PX', ARGV[11])
end
if not exists then
  emit('created', id, nil)
end
track(id, principal_of(key), NOW + tonumber(ARGV[6]))
if ARGV[13] ~= '' then
  redis.call('PUBLISH', ARGV[13], ARGV[14])
end
return 1
