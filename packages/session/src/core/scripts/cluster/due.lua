-- Ledger entries whose score (a lower bound of the expiry) has passed, by server time.
-- ARGV[3]  most entries to return
-- Returns the session ids; the client then asks each session's own slot for its PTTL.
return redis.call('ZRANGEBYSCORE', LEDGER, '-inf', '(' .. NOW, 'LIMIT', 0, tonumber(ARGV[3]))
