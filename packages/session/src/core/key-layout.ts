/**
 * Every key and hash field Baton writes. One session is one hash:
 *
 *   <namespace>:sessions:{<id>}   created  lastAccess  maxInactive  [principal]  a:<attribute>…
 *
 * `{<id>}` is a hash tag: every key of one session lands in one Cluster slot, so a script that
 * touches several of them never fails with CROSSSLOT.
 *
 * Indexed mode (opt-in) adds, per namespace:
 *
 *   <namespace>:principals:<principal>   sorted set: session id → expiry (ms since epoch)
 *   <namespace>:expirations              sorted set: session id → expiry, every indexed session
 *   <namespace>:session-principals       hash: session id → principal, for sessions that have one
 *   <namespace>:events                   stream: created / deleted / expired, one consumer group per service
 */
export const FIELD = {
  created: 'created',
  lastAccess: 'lastAccess',
  maxInactive: 'maxInactive',
} as const;

/** Set in indexed mode only: who the session belongs to (plain text, not JSON). */
export const PRINCIPAL_FIELD = 'principal';

/** Attribute fields are prefixed so they never collide with the metadata fields above. */
export const ATTRIBUTE_PREFIX = 'a:';

export class KeyLayout {
  constructor(readonly namespace: string) {}

  sessionKey(id: string): string {
    return `${this.namespace}:sessions:{${id}}`;
  }

  attributeField(name: string): string {
    return ATTRIBUTE_PREFIX + name;
  }

  /** What `sessionKey` puts before the id; the indexed scripts build session keys from it. */
  get sessionKeyPrefix(): string {
    return `${this.namespace}:sessions:{`;
  }

  /** The session id in a session key, or undefined for any other key. */
  idOfSessionKey(key: string): string | undefined {
    const prefix = this.sessionKeyPrefix;
    return key.startsWith(prefix) && key.endsWith('}')
      ? key.slice(prefix.length, -1) || undefined
      : undefined;
  }

  principalIndexKey(principal: string): string {
    return this.principalIndexPrefix + principal;
  }

  /** What `principalIndexKey` puts before the principal; the scripts build index keys from it. */
  get principalIndexPrefix(): string {
    return `${this.namespace}:principals:`;
  }

  get expirationsKey(): string {
    return `${this.namespace}:expirations`;
  }

  get sessionPrincipalsKey(): string {
    return `${this.namespace}:session-principals`;
  }

  get eventsKey(): string {
    return `${this.namespace}:events`;
  }
}
