-- Indexed delete (invalidate()): deletes the session with its index entries and records 'deleted'
-- in the same step, so the event exists exactly when the deletion happened.
-- KEYS[4]  the session hash
-- ARGV[4]  the session id
-- ARGV[5]  the reason recorded with the event
-- Returns 1, or 0 when the session does not exist.
return delete_session(ARGV[4], ARGV[5])
