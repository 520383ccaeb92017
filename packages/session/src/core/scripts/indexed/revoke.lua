-- Revokes sessions of one principal: one of them, all but one, or all. Only sessions whose hash
-- names that principal are deleted, so a handle of somebody else's session revokes nothing.
-- KEYS[4]  the principal's index
-- ARGV[4]  the principal
-- ARGV[5]  'one', 'except' or 'all'
-- ARGV[6]  the session id to revoke ('one') or to keep ('except')
-- Returns how many sessions were deleted. Atomic so a login racing a "log out everywhere" either
-- happened before it (and is revoked) or after it (and survives): never half.
local index, principal, mode, target = KEYS[4], ARGV[4], ARGV[5], ARGV[6]
if mode == 'one' then
  if principal_of(session_key(target)) ~= principal then
    return 0
  end
  return delete_session(target, 'revoked')
end
local deleted = 0
for _, id in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  if mode == 'all' or id ~= target then
    if principal_of(session_key(id)) == principal then
      deleted = deleted + delete_session(id, 'revoked')
    else
      redis.call('ZREM', index, id)
    end
  end
end
return deleted
