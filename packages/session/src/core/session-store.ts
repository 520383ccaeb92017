/** One attribute as stored: its JSON text (what compare-and-set compares) and the parsed value. */
export interface StoredAttribute {
  json: string;
  value: unknown;
}

/** A session as the store returns it. The store knows ids (token hashes), never tokens. */
export interface SessionRecord {
  id: string;
  createdAt: number;
  lastAccessedAt: number;
  maxInactiveMs: number;
  /** Who the session belongs to (indexed mode's `setPrincipal`); absent when nobody was set. */
  principal?: string;
  attributes: Map<string, StoredAttribute>;
}

/** What one request changed: attributes to write (as JSON), attributes to delete, and the TTL. */
export interface SessionDelta {
  set: Map<string, string>;
  remove: Set<string>;
  /** The session's idle timeout: always the new TTL, written as a field only when it changed. */
  maxInactiveMs: number;
  maxInactiveChanged: boolean;
  /** Present when the session is not in the store yet and this write creates it. */
  create?: { createdAt: number; now: number };
  /**
   * Indexed mode only: the principal this write gives the session (`null`: it has none from now
   * on). Absent when the request did not change it.
   */
  principal?: string | null;
}

/**
 * What a compare-and-set does beside the attribute, in the same script (so in the same round
 * trip, and all or nothing with the write).
 */
export interface WriteEffects {
  /** PUBLISH the session's id on this channel once the write is made. */
  publish?: string | undefined;
  /**
   * A record of this write under a short-lived key of its own, named `name` within the session:
   * when it exists already, the write is not made and its value is returned instead.
   */
  record?: { name: string; value: string; ttlMs: number } | undefined;
}

/** The outcome of one compare-and-set attempt. */
export type CompareAndSetResult =
  | { outcome: 'written' }
  | { outcome: 'conflict'; current: StoredAttribute | undefined }
  | { outcome: 'gone' }
  /** A write with the same record name was made already; nothing was written. */
  | { outcome: 'recorded'; record: string };

/**
 * Where sessions live (Spring Session's `SessionRepository`). Every method is one round trip
 * except `rename` on a Cluster, which is three (copy, then delete) because the old and the new
 * key are in different slots.
 * Methods throw `SessionStoreUnavailableError` / `SessionStoreFullError` when the store cannot
 * answer; they never throw for data a client sent.
 */
export interface SessionStore {
  /**
   * Reads the session and refreshes its TTL and lastAccess. Returns null when it does not exist,
   * has expired, or holds data Baton did not write (which is logged, never thrown).
   */
  loadAndTouch(id: string, now: number): Promise<SessionRecord | null>;

  /**
   * Writes the delta. Returns false, writing nothing, when the session must exist (no `create`)
   * and no longer does.
   */
  saveDelta(id: string, delta: SessionDelta): Promise<boolean>;

  /**
   * Sets `name` to `next` only if it still holds `expected` (undefined: absent). With `create`, a
   * missing session is created; without it a missing session is `gone`. `effects` are made with
   * the write, in the same round trip; with `effects.record` an existing record wins over the
   * compare (`recorded`).
   */
  compareAndSet(
    id: string,
    name: string,
    expected: string | undefined,
    next: string,
    ttlMs: number,
    create?: { createdAt: number; now: number },
    effects?: WriteEffects,
  ): Promise<CompareAndSetResult>;

  /** The record a compare-and-set with `effects.record.name` stored, while it lives. */
  findRecord(id: string, name: string): Promise<string | undefined>;

  /**
   * Moves a session to a new id, keeping its data and TTL and applying `delta`. At every moment
   * one of the two ids resolves to the session. The old id no longer resolves once this returns
   * (on a Cluster: unless the last step failed, and then for at most the grace period, read
   * only). Returns false when the old session does not exist or another rename is moving it.
   */
  rename(oldId: string, newId: string, delta: SessionDelta): Promise<boolean>;

  /** Deletes the session. Does nothing if it does not exist. */
  delete(id: string): Promise<void>;

  /**
   * `durableWrites` only (absent, or a no-op, without it): resolves once the session as the
   * primary holds it now, written by any node, is held by enough replicas; applies
   * `durableWrites.onTimeout` when it is not (`SessionNotReplicatedError` for `'fail'`). Throws
   * `SessionGoneError` when the session no longer exists. For answers built from what a request
   * read rather than wrote (an idempotent replay), which no write's WAIT has confirmed.
   */
  confirmDurable?(id: string, now: number): Promise<void>;
}
