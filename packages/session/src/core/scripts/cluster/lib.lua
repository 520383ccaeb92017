-- Shared by the index scripts of indexed mode on a Cluster (scripts.ts puts it in front of each).
-- These scripts touch only the index keys, which share the hash tag {index} and so one slot; the
-- session hashes are in other slots and the client reads and writes them in separate steps, in
-- an order that keeps the index a superset of the live sessions (see cluster-indexed-store.ts).
-- KEYS[1]  <ns>:{index}:expirations          sorted set: session id → expiry ms (a lower bound)
-- KEYS[2]  <ns>:{index}:session-principals   hash: session id → principal
-- KEYS[3]  <ns>:{index}:events               stream of created / deleted / expired
-- ARGV[1]  principal index prefix, '<ns>:{index}:principals:' (same tag, so the same slot)
-- ARGV[2]  approximate cap of the event stream (XADD MAXLEN ~)
local LEDGER, PRINCIPAL_OF, EVENTS = KEYS[1], KEYS[2], KEYS[3]
local INDEX_PREFIX, MAX_EVENTS = ARGV[1], ARGV[2]

local function server_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local NOW = server_now()

local function index_key(principal)
  return INDEX_PREFIX .. principal
end

local function emit(event, id, principal, reason)
  local fields = { 'type', event, 'id', id }
  if principal then
    table.insert(fields, 'principal')
    table.insert(fields, principal)
  end
  if reason and reason ~= '' then
    table.insert(fields, 'reason')
    table.insert(fields, reason)
  end
  redis.call('XADD', EVENTS, 'MAXLEN', '~', MAX_EVENTS, '*', unpack(fields))
end

-- Removes a session id from the principal's index, and the index itself once it is empty.
local function drop_from_index(principal, id)
  local index = index_key(principal)
  redis.call('ZREM', index, id)
  if redis.call('ZCARD', index) == 0 then
    redis.call('DEL', index)
  end
end
