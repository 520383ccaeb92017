/**
 * The Valkey users of infra/valkey/users.acl that the stack uses, with their DEMO passwords (the
 * ACL file holds only their SHA-256). The apps connect as `baton`, which may run only the
 * commands Baton sends on keys under `myplatform:`; `default` is for people with valkey-cli.
 * Anything real writes its own ACL file with its own passwords (infra/valkey/README.md).
 */
export const VALKEY_APP_USER = {
  username: 'baton',
  password: 'baton-local-demo-password',
} as const;

/**
 * Valkey's `default` user, with a password and every permission: people with valkey-cli, the
 * probes, replication. It must keep every permission: Valkey (8.0) replays the AOF with the
 * default user's permissions, and a restricted default user makes every MULTI/EXEC of the AOF
 * fail (NOPERM) at start, losing those writes.
 */
export const VALKEY_ADMIN_USER = {
  username: 'default',
  password: 'admin-local-demo-password',
} as const;

/** The variables that make an app AUTH as {@link VALKEY_APP_USER} and send no CONFIG. */
export function valkeyAppEnv(): Record<string, string> {
  return {
    REDIS_USERNAME: VALKEY_APP_USER.username,
    REDIS_PASSWORD: VALKEY_APP_USER.password,
    // The ACL refuses CONFIG; valkey.conf sets notify-keyspace-events Egx instead.
    VALKEY_CONFIGURE_ACTION: 'none',
  };
}
