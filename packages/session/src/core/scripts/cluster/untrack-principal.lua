-- Step after a session write changed its principal: removes the session from the index of the
-- principal it had before, now that the hash no longer names it (the superset rule: never before).
-- ARGV[3]  the session id
-- ARGV[4]  the principal it had before
-- ARGV[5]  the principal it has now ('' for none)
-- Returns 1.
local id, previous, current = ARGV[3], ARGV[4], ARGV[5]
if previous ~= '' and previous ~= current then
  drop_from_index(previous, id)
end
if current == '' then
  redis.call('HDEL', PRINCIPAL_OF, id)
end
return 1
