-- Settles sessions after the client looked at their hashes in their own slots: a session that is
-- gone is untracked (ledger, principal-of, principal index) and its end event recorded, once: the
-- ledger entry is the guard, so a second node, a second notification or a racing sweep records
-- nothing. A session still alive gets its ledger score moved to its true expiry.
-- ARGV[3]  the event for a gone session: 'expired', 'deleted', or '' (untrack without event)
-- ARGV[4]  the reason recorded with 'deleted' ('' for none)
-- ARGV[5 ..]  id, state, id, state, …  where state is 'gone' or the session's PTTL in ms
-- Returns how many events it recorded.
local event, reason = ARGV[3], ARGV[4]
local recorded = 0
for i = 5, #ARGV - 1, 2 do
  local id, state = ARGV[i], ARGV[i + 1]
  if redis.call('ZSCORE', LEDGER, id) then
    local pttl = tonumber(state)
    if pttl and pttl > 0 then
      redis.call('ZADD', LEDGER, 'XX', NOW + pttl, id)
    else
      local principal = redis.call('HGET', PRINCIPAL_OF, id)
      redis.call('ZREM', LEDGER, id)
      redis.call('HDEL', PRINCIPAL_OF, id)
      if principal then
        drop_from_index(principal, id)
      else
        principal = nil
      end
      if event ~= '' then
        emit(event, id, principal, reason)
        recorded = recorded + 1
      end
    end
  end
end
return recorded
