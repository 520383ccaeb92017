-- Undoes begin-move.lua when the copy could not be written: the old session is writable again
-- and gets its TTL back, so a failed changeId() leaves the session as it was.
-- KEYS[1]  the old session hash
-- ARGV[1]  the TTL in ms that begin-move.lua reported
-- Returns 1, or 0 when the old session is gone meanwhile (deleted or past its grace period).
if redis.call('HDEL', KEYS[1], 'movedTo') == 0 then
  return 0
end
if tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 1
