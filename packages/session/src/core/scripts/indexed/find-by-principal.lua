-- Lists the live sessions of one principal, dropping entries of sessions that are gone on the way.
-- KEYS[4]  the principal's index
-- ARGV[4]  the principal
-- ARGV[5 ..] attribute fields to include
-- Returns { {id, expiresAt, created, lastAccess, maxInactive, attribute values…}, … }, newest
-- expiry first. Never a token: the store has none.
local index, principal = KEYS[4], ARGV[4]
redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. NOW)
local found = {}
local entries = redis.call('ZRANGE', index, 0, -1, 'REV', 'WITHSCORES')
for i = 1, #entries, 2 do
  local id = entries[i]
  local values = redis.pcall('HMGET', session_key(id), 'principal', 'created', 'lastAccess',
    'maxInactive', unpack(ARGV, 5, #ARGV))
  if type(values) == 'table' and values[1] == principal then
    values[1] = entries[i + 1]
    table.insert(values, 1, id)
    table.insert(found, values)
  else
    redis.call('ZREM', index, id)
  end
end
return found
