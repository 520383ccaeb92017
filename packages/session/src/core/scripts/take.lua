-- First half of changeId(): reads the session and deletes it in one step, so the old token is
-- dead the moment this returns and no write can slip in between the read and the delete.
-- The second half writes the new key (save-delta with ARGV[1] = '0'); the two halves are separate
-- calls because the old and new keys live in different Cluster slots.
-- KEYS[1]  the old session hash
-- Returns {pttl, field, value, …}, or an empty list when the session does not exist.
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then
  return fields
end
local pttl = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
table.insert(fields, 1, pttl)
return fields
