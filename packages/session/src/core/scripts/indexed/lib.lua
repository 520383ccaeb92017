-- Shared by every indexed-mode script (scripts.ts puts it in front of each one).
-- Every indexed script gets the same first keys and arguments:
-- KEYS[1]  <ns>:expirations          sorted set: session id → expiry ms (every indexed session)
-- KEYS[2]  <ns>:session-principals   hash: session id → principal
-- KEYS[3]  <ns>:events               stream of created / deleted / expired
-- ARGV[1]  session key prefix, '<ns>:sessions:{' (a session key is prefix .. id .. '}')
-- ARGV[2]  principal index prefix, '<ns>:principals:'
-- ARGV[3]  approximate cap of the event stream (XADD MAXLEN ~)
-- Session and principal index keys are built here from these prefixes, because a script learns
-- a session's principal (or a principal's sessions) only by reading them. That is fine on a
-- standalone or Sentinel server; it is why indexed mode refuses a Cluster connection for now.
local LEDGER, PRINCIPAL_OF, EVENTS = KEYS[1], KEYS[2], KEYS[3]
local SESSION_PREFIX, INDEX_PREFIX, MAX_EVENTS = ARGV[1], ARGV[2], ARGV[3]

-- Scores are server time, the clock PEXPIRE uses: an entry is dead exactly when its key is.
local function server_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local NOW = server_now()

local function session_key(id)
  return SESSION_PREFIX .. id .. '}'
end

local function index_key(principal)
  return INDEX_PREFIX .. principal
end

-- The principal field of a session hash, or nil (no session, no principal, or not a hash).
local function principal_of(key)
  local value = redis.pcall('HGET', key, 'principal')
  if type(value) == 'string' then
    return value
  end
  return nil
end

local function emit(event, id, principal, reason)
  local fields = { 'type', event, 'id', id }
  if principal then
    table.insert(fields, 'principal')
    table.insert(fields, principal)
  end
  if reason then
    table.insert(fields, 'reason')
    table.insert(fields, reason)
  end
  redis.call('XADD', EVENTS, 'MAXLEN', '~', MAX_EVENTS, '*', unpack(fields))
end

-- Records when a live session expires, in the ledger and in its principal's index, and lets the
-- index live exactly as long as its longest session, so an abandoned index disappears by itself.
local function track(id, principal, expires_at)
  redis.call('ZADD', LEDGER, expires_at, id)
  if principal then
    local index = index_key(principal)
    redis.call('HSET', PRINCIPAL_OF, id, principal)
    redis.call('ZADD', index, expires_at, id)
    local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', index, last[2])
  end
end

local function untrack(id, principal)
  redis.call('ZREM', LEDGER, id)
  redis.call('HDEL', PRINCIPAL_OF, id)
  if principal then
    redis.call('ZREM', index_key(principal), id)
  end
end

-- Deletes a session that exists, with its index entries, and records 'deleted'. Returns 1, or 0
-- when there is no such session (an expired one is left to reap, which records 'expired').
local function delete_session(id, reason)
  local key = session_key(id)
  local principal = principal_of(key)
  if redis.call('DEL', key) == 0 then
    return 0
  end
  untrack(id, principal)
  emit('deleted', id, principal, reason)
  return 1
end

-- Gives the live session at `key` the principal `new` (nil: none), moving its index entry.
-- The caller tracks the session afterwards, which adds the entry to the new index.
local function assign_principal(id, key, new)
  local old = principal_of(key)
  if old and old ~= new then
    redis.call('ZREM', index_key(old), id)
  end
  if new then
    redis.call('HSET', key, 'principal', new)
  else
    redis.call('HDEL', key, 'principal')
    redis.call('HDEL', PRINCIPAL_OF, id)
  end
end

-- Keeps at most `max` live sessions of `principal`, deleting those closest to expiry first and
-- never `keep` (the session logging in). Entries whose session is gone are dropped on the way.
local function enforce_limit(principal, keep, max)
  local index = index_key(principal)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. NOW)
  local live = {}
  for _, id in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    if principal_of(session_key(id)) == principal then
      table.insert(live, id)
    else
      redis.call('ZREM', index, id)
    end
  end
  local excess = #live - max
  for _, id in ipairs(live) do
    if excess <= 0 then
      break
    end
    if id ~= keep then
      excess = excess - delete_session(id, 'evicted')
    end
  end
end

-- Settles a ledger entry: a session that is gone is untracked and recorded as 'expired' (once:
-- the ledger entry is removed in the same step); a live one gets its true expiry back.
-- Returns 1 when it recorded an expiry, else 0.
local function reap(id)
  local key = session_key(id)
  if redis.call('EXISTS', key) == 1 then
    local pttl = redis.call('PTTL', key)
    if pttl > 0 then
      track(id, principal_of(key), NOW + pttl)
    else
      redis.call('ZREM', LEDGER, id)
    end
    return 0
  end
  if not redis.call('ZSCORE', LEDGER, id) then
    return 0
  end
  local principal = redis.call('HGET', PRINCIPAL_OF, id)
  if not principal then
    principal = nil
  end
  untrack(id, principal)
  emit('expired', id, principal)
  return 1
end

