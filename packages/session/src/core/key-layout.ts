/**
 * Every key and hash field Baton writes. One session is one hash:
 *
 *   <namespace>:sessions:{<id>}   created  lastAccess  maxInactive  a:<attribute>…
 *
 * `{<id>}` is a hash tag: every key of one session lands in one Cluster slot, so a script that
 * touches several of them never fails with CROSSSLOT.
 */
export const FIELD = {
  created: 'created',
  lastAccess: 'lastAccess',
  maxInactive: 'maxInactive',
} as const;

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
}
