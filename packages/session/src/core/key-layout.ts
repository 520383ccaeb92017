/**
 * Every key and hash field Baton writes. One session is one hash:
 *
 *   <namespace>:sessions:{<id>}   created  lastAccess  maxInactive  [principal]  a:<attribute>…
 *
 * and, for a write that keeps a record (`Session.updateOnce`), a short-lived string beside it:
 *
 *   <namespace>:sessions:{<id>}:r:<record name>   the record, with a TTL of its own
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
 *
 * On a Cluster those four are `<namespace>:{index}:principals:<principal>`, `…:{index}:expirations`
 * and so on: one hash tag, so they share one slot (one master) and the index scripts can touch
 * several of them at once; the session hashes stay spread over every master by their own tags.
 */
export const FIELD = {
  created: 'created',
  lastAccess: 'lastAccess',
  maxInactive: 'maxInactive',
} as const;

/** Set in indexed mode only: who the session belongs to (plain text, not JSON). */
export const PRINCIPAL_FIELD = 'principal';

/**
 * Set on the old key while changeId() on a Cluster copies a session to its new key (see
 * scripts/begin-move.lua): the old key still reads, refuses writes, and runs out by itself.
 */
export const MOVED_TO_FIELD = 'movedTo';

/** Attribute fields are prefixed so they never collide with the metadata fields above. */
export const ATTRIBUTE_PREFIX = 'a:';

export class KeyLayout {
  /** Where the index keys start: `<namespace>:` or, on a Cluster, `<namespace>:{index}:`. */
  private readonly indexBase: string;

  constructor(
    readonly namespace: string,
    options: { cluster?: boolean } = {},
  ) {
    this.indexBase = options.cluster ? `${namespace}:{index}:` : `${namespace}:`;
  }

  sessionKey(id: string): string {
    return `${this.namespace}:sessions:{${id}}`;
  }

  /** A write's record: outside the session hash, so the resting session carries none. */
  recordKey(id: string, name: string): string {
    return `${this.sessionKey(id)}:r:${name}`;
  }

  attributeField(name: string): string {
    return ATTRIBUTE_PREFIX + name;
  }

  /** The attribute an `a:<name>` field holds, or undefined for a metadata field. */
  attributeOfField(field: string): string | undefined {
    return field.startsWith(ATTRIBUTE_PREFIX) ? field.slice(ATTRIBUTE_PREFIX.length) : undefined;
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
    return `${this.indexBase}principals:`;
  }

  get expirationsKey(): string {
    return `${this.indexBase}expirations`;
  }

  get sessionPrincipalsKey(): string {
    return `${this.indexBase}session-principals`;
  }

  get eventsKey(): string {
    return `${this.indexBase}events`;
  }
}
