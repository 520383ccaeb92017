-- Deletes a session hash only if it names the principal: revoke and the per-principal limit on a
-- Cluster, where this runs in the session's own slot before the index step that records it.
-- A handle of somebody else's session deletes nothing.
-- KEYS[1]  the session hash
-- ARGV[1]  the principal
-- Returns 1 when it deleted the session, else 0.
if redis.call('HGET', KEYS[1], 'principal') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
