-- Settles one session that Valkey reported as expired (a keyspace notification): records
-- 'expired' once, however many nodes received the notification and run this.
-- ARGV[4]  the session id
-- Returns 1 when this call recorded the expiry, 0 when it was already settled (or is alive).
return reap(ARGV[4])
