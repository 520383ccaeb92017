-- Settles ledger entries whose expiry has passed: the safety net for notifications nobody
-- received (every app down, a reconnect, lazy reclamation). EXISTS on a due key also makes Valkey
-- reclaim it now if it had not yet.
-- ARGV[4]  most entries to settle in this call
-- Returns {expired, examined}; examined == ARGV[4] means more may be due.
local due = redis.call('ZRANGEBYSCORE', LEDGER, '-inf', '(' .. NOW, 'LIMIT', 0, tonumber(ARGV[4]))
local expired = 0
for _, id in ipairs(due) do
  expired = expired + reap(id)
end
return { expired, #due }
