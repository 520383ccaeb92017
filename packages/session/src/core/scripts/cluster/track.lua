-- Step before a session write that creates a session or changes its principal or idle timeout:
-- records the session in the ledger and, with a principal, in that principal's index, BEFORE the
-- session hash says so. The index is thus always a superset of the live sessions: a "log out
-- everywhere" can never miss a session that names its principal. 'created' is recorded here,
-- once per id (the ledger entry is the guard); if the write that follows never happens, the
-- sweep later records 'expired' for it, so every 'created' gets exactly one end event.
-- ARGV[3]  the session id
-- ARGV[4]  TTL in ms: the ledger score is now + TTL
-- ARGV[5]  the principal the session will have ('' for none)
-- ARGV[6]  '1' when the write creates the session
-- Returns the principal the index knew for the session before ('' for none).
local id, ttl, principal = ARGV[3], tonumber(ARGV[4]), ARGV[5]
local expires_at = NOW + ttl
local known = redis.call('ZSCORE', LEDGER, id)
redis.call('ZADD', LEDGER, expires_at, id)
local previous = redis.call('HGET', PRINCIPAL_OF, id) or ''
if principal ~= '' then
  redis.call('HSET', PRINCIPAL_OF, id, principal)
  redis.call('ZADD', index_key(principal), expires_at, id)
end
if ARGV[6] == '1' and not known then
  emit('created', id, principal ~= '' and principal or nil)
end
return previous
