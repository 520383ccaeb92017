import {
  SessionAttributeTooLargeError,
  SessionGoneError,
  SessionOptionsInvalidError,
  SessionTooLargeError,
  SessionUpdateConflictError,
  SessionValueInvalidError,
} from './errors.js';
import type { SessionObserver } from './options.js';
import { StepTimer } from './session-step.js';
import { newSessionToken, sessionIdOf } from './session-token.js';
import { AttributeSchemas, type DecodedValue } from './attribute-schema.js';
import type {
  SessionDelta,
  SessionRecord,
  SessionStore,
  StoredAttribute,
} from './session-store.js';

/** What `update()` and `updateOnce()` do beside the write, in its round trip. */
export interface UpdateOptions {
  /** PUBLISH the session's public id on this channel once the value is written. */
  publish?: string | undefined;
}

/** The record `updateOnce()` keeps of a write, for retries of it to find. */
export interface WriteRecord<T> {
  /** Names the write within the session (an idempotency key); any string. */
  name: string;
  /** How long the record lives, in ms: the window in which a retry is recognised. */
  ttlMs: number;
  /** The record's text, from the value as written (e.g. the answer the write got). */
  value: (written: Readonly<T>) => string;
}

/** What `updateOnce()` did: wrote `value`, or found the `recorded` text of an earlier write. */
export type UpdateOnceResult<T> =
  { value: Readonly<T>; recorded?: undefined } | { recorded: string; value?: undefined };

/** The limits and collaborators a session needs; resolved once from the options. */
export interface SessionContext {
  store: SessionStore;
  maxInactiveIntervalMs: number;
  maxAttributeBytes: number;
  maxSessionBytes: number;
  updateMaxAttempts: number;
  /** Set in indexed mode; `setPrincipal` needs it. */
  indexed?: object | undefined;
  /** `update()` reports its steps here when tracing is on. */
  observer?: SessionObserver | undefined;
}

/** No attribute has a schema: every value is stored as it is. */
const NO_SCHEMAS = new AttributeSchemas(undefined, console);

/** An attribute as this request holds it: stored JSON, the handler's value, the stored version. */
interface LoadedAttribute extends StoredAttribute {
  version: number;
}

/** The longest principal name `setPrincipal` accepts, in characters. */
export const MAX_PRINCIPAL_LENGTH = 512;

/**
 * What one request did to its session, kept apart from the `Session` API so that handlers see
 * attributes and the session manager sees the delta.
 */
export class SessionState {
  /** Attributes as this request sees them: stored ones plus its own changes. */
  readonly attributes = new Map<string, LoadedAttribute>();
  /** The JSON the store held when last read or written: what compare-and-set expects. */
  readonly stored = new Map<string, string>();
  readonly changed = new Set<string>();
  readonly removed = new Set<string>();
  /** The token the store knows this session by (the one the client sent, or a fresh one). */
  readonly storedToken: string;
  /** SHA-256 of `storedToken`: the key's id. Hashed once per request, not per use. */
  readonly storedId: string;
  /** Set by changeId(): the token the session moves to on commit, and its id. */
  nextToken: string | undefined;
  nextId: string | undefined;
  /** True once the session exists in the store (loaded, or created by update()). */
  persisted: boolean;
  /** True when the client already holds `storedToken`. */
  readonly clientHasToken: boolean;
  invalidated = false;
  maxInactiveMs: number;
  maxInactiveChanged = false;
  /** Who the session belongs to (indexed mode). */
  principal: string | undefined;
  principalChanged = false;
  readonly createdAt: number;
  readonly lastAccessedAt: number;

  constructor(
    token: string,
    record: SessionRecord | null,
    maxInactiveMs: number,
    now: number,
    /** Upcast on read, newer fields kept on write (`SessionOptions.attributes`). */
    readonly schemas: AttributeSchemas = NO_SCHEMAS,
  ) {
    this.storedToken = token;
    this.storedId = record?.id ?? sessionIdOf(token);
    this.persisted = record !== null;
    this.clientHasToken = record !== null;
    this.createdAt = record?.createdAt ?? now;
    this.lastAccessedAt = record?.lastAccessedAt ?? now;
    this.maxInactiveMs = record?.maxInactiveMs ?? maxInactiveMs;
    this.principal = record?.principal;
    for (const [name, attribute] of record?.attributes ?? []) {
      // One that cannot be read at this version reads as absent; `stored` still lets a write
      // replace it (compare-and-set expects its JSON).
      const loaded = this.load(name, attribute);
      if (loaded) this.attributes.set(name, loaded);
      this.stored.set(name, attribute.json);
    }
  }

  /** A stored attribute as handlers see it: upcast by its schema, frozen. */
  load(name: string, attribute: StoredAttribute): LoadedAttribute | undefined {
    const decoded = this.schemas.decode(name, attribute.value);
    return (
      decoded && {
        json: attribute.json,
        value: deepFreeze(decoded.value),
        version: decoded.version,
      }
    );
  }

  get token(): string {
    return this.nextToken ?? this.storedToken;
  }

  /** The id of `token`: the one the session has after this request. */
  get id(): string {
    return this.nextId ?? this.storedId;
  }

  /** Records the token (and its id) the session moves to on commit. */
  rotate(token: string): void {
    this.nextToken = token;
    this.nextId = sessionIdOf(token);
  }

  hasChanges(): boolean {
    return (
      this.changed.size > 0 ||
      this.removed.size > 0 ||
      this.maxInactiveChanged ||
      this.principalChanged
    );
  }

  delta(create: boolean, now: number): SessionDelta {
    const set = new Map<string, string>();
    for (const name of this.changed)
      set.set(name, (this.attributes.get(name) as StoredAttribute).json);
    return {
      set,
      remove: new Set(this.removed),
      maxInactiveMs: this.maxInactiveMs,
      maxInactiveChanged: this.maxInactiveChanged,
      ...(create ? { create: { createdAt: this.createdAt, now } } : {}),
      ...(this.principalChanged ? { principal: this.principal ?? null } : {}),
    };
  }
}

/**
 * A user's session as a handler sees it (`req.session` in Express, `@Session()` in Nest).
 * Reads are served from what the request loaded; `set`/`remove` are written when the response
 * is committed, and only the attributes that changed; `update` writes at once, atomically.
 *
 * Values are JSON. `get` returns a frozen copy: change a value by `set`ting a new one, so that
 * nothing is mutated in place and then silently not saved.
 */
export class Session {
  constructor(
    private readonly state: SessionState,
    private readonly context: SessionContext,
  ) {}

  /** The public handle: SHA-256 of the token. Safe to show, log and put in URLs; it logs nobody in. */
  get id(): string {
    return this.state.id;
  }

  /** True until the client holds this session's token (a session created by this request). */
  get isNew(): boolean {
    return !this.state.clientHasToken;
  }

  get createdAt(): Date {
    return new Date(this.state.createdAt);
  }

  get lastAccessedAt(): Date {
    return new Date(this.state.lastAccessedAt);
  }

  /** Idle time after which this session expires. Setting it changes this session only. */
  get maxInactiveIntervalMs(): number {
    return this.state.maxInactiveMs;
  }

  set maxInactiveIntervalMs(ms: number) {
    if (!Number.isSafeInteger(ms) || ms <= 0) {
      throw new RangeError(`maxInactiveIntervalMs must be a positive integer, got ${String(ms)}`);
    }
    this.state.maxInactiveMs = ms;
    this.state.maxInactiveChanged = true;
  }

  /** Who this session belongs to, as set by `setPrincipal` (indexed mode); undefined for nobody. */
  get principal(): string | undefined {
    return this.state.principal;
  }

  /**
   * Indexed mode: makes this session one of `name`'s sessions (call it at login, after
   * `changeId()`), so that `SessionIndex` can list and revoke it and the per-principal limit
   * applies. Written on commit, together with the index, in the same script. `undefined` takes
   * the session out of the index. Throws `SessionOptionsInvalidError` when `indexed` is not set.
   */
  setPrincipal(name: string | undefined): void {
    this.assertUsable();
    if (!this.context.indexed) {
      throw new SessionOptionsInvalidError(
        'indexed',
        'is not set: setPrincipal() needs indexed mode',
      );
    }
    if (
      name !== undefined &&
      (typeof name !== 'string' || name.length === 0 || name.length > MAX_PRINCIPAL_LENGTH)
    ) {
      throw new SessionValueInvalidError(
        'principal',
        new TypeError(`must be a string of 1 to ${MAX_PRINCIPAL_LENGTH} characters`),
      );
    }
    this.state.principal = name;
    this.state.principalChanged = true;
  }

  get<T = unknown>(name: string): Readonly<T> | undefined {
    return this.state.attributes.get(name)?.value as Readonly<T> | undefined;
  }

  has(name: string): boolean {
    return this.state.attributes.has(name);
  }

  attributeNames(): string[] {
    return [...this.state.attributes.keys()];
  }

  /** Sets an attribute (written on commit). `undefined` removes it. */
  set(name: string, value: unknown): void {
    this.assertUsable();
    if (value === undefined) return this.remove(name);
    const attribute = this.toAttribute(name, value, this.state.attributes.get(name));
    this.state.attributes.set(name, attribute);
    this.state.changed.add(name);
    this.state.removed.delete(name);
  }

  remove(name: string): void {
    this.assertUsable();
    if (!this.state.attributes.delete(name)) return;
    this.state.changed.delete(name);
    if (this.state.stored.has(name)) this.state.removed.add(name);
  }

  /**
   * Read-modify-write of one attribute that is safe when many nodes do it at once: `fn` gets the
   * current value and returns the next one, which is written with compare-and-set. If another
   * request changed the attribute in between, `fn` runs again on the newer value (so it must be
   * pure). Resolves with the value written; rejects with `SessionUpdateConflictError` after
   * `updateMaxAttempts` lost races, and `SessionGoneError` if the session ended meanwhile.
   * Do not mix `set()` and `update()` of one attribute in one request.
   *
   * `options.publish`: a channel on which the write's script PUBLISHes the session's id once the
   * value is written (a "look again" hint for other processes, at no extra round trip).
   */
  async update<T>(
    name: string,
    fn: (current: Readonly<T> | undefined) => T,
    options: UpdateOptions = {},
  ): Promise<Readonly<T>> {
    const outcome = await this.write(name, fn, options, undefined);
    return outcome.value as Readonly<T>;
  }

  /**
   * {@link update} made at most once per `record.name` in this session, on any node, for
   * `record.ttlMs`: an idempotent write. The first call writes the value and, in the same script,
   * `record.value(written)` under a short-lived key of its own (outside the session hash, so the
   * resting session carries no record). A later call with the same name finds that record, writes
   * nothing and resolves with `{ recorded }`, whichever of two racing calls lost. Records live
   * beside the session, not in it: ending the session does not delete them, they expire.
   */
  async updateOnce<T>(
    name: string,
    record: WriteRecord<T>,
    fn: (current: Readonly<T> | undefined) => T,
    options: UpdateOptions = {},
  ): Promise<UpdateOnceResult<T>> {
    if (!(Number.isSafeInteger(record.ttlMs) && record.ttlMs > 0)) {
      throw new RangeError(`record.ttlMs must be a positive integer, got ${String(record.ttlMs)}`);
    }
    return this.write(name, fn, options, record);
  }

  /**
   * The record an earlier {@link updateOnce} under `name` left, while it lives; one round trip.
   * For a caller whose `fn` refused the change on the value it loaded (a retry of a removal
   * finds the line gone): the write may have been made already, under that name.
   */
  async findRecord(name: string): Promise<string | undefined> {
    if (!this.state.persisted) return undefined;
    return this.context.store.findRecord(this.state.storedId, name);
  }

  /** @private The compare-and-set loop of update() and updateOnce(), a traced step. */
  private async write<T>(
    name: string,
    fn: (current: Readonly<T> | undefined) => T,
    options: UpdateOptions,
    record: WriteRecord<T> | undefined,
  ): Promise<UpdateOnceResult<T>> {
    this.assertUsable();
    const { observer } = this.context;
    const step = observer?.onSessionStep ? new StepTimer('update', observer) : undefined;
    try {
      const outcome = await this.attemptWrites(name, fn, options, record, step);
      step?.done({ bytes: outcome.bytes, outcome: 'ok' });
      return outcome.result;
    } catch (err) {
      step?.done({ bytes: 0, outcome: 'error' });
      throw err;
    }
  }

  /** @private The attempts of {@link write}, counting round trips and conflicts into `step`. */
  private async attemptWrites<T>(
    name: string,
    fn: (current: Readonly<T> | undefined) => T,
    options: UpdateOptions,
    record: WriteRecord<T> | undefined,
    step: StepTimer | undefined,
  ): Promise<{ result: UpdateOnceResult<T>; bytes: number }> {
    const { store, updateMaxAttempts } = this.context;
    const state = this.state;
    let current = state.attributes.get(name);
    let expected = state.stored.get(name);
    for (let attempt = 1; attempt <= updateMaxAttempts; attempt++) {
      if (step) {
        step.roundTrips = attempt;
        step.retries = attempt - 1;
      }
      const next = this.toAttribute(name, fn(current?.value as Readonly<T> | undefined), current);
      const result = await store.compareAndSet(
        state.storedId,
        name,
        expected,
        next.json,
        state.maxInactiveMs,
        state.persisted ? undefined : { createdAt: state.createdAt, now: Date.now() },
        {
          publish: options.publish,
          record: record && {
            name: record.name,
            ttlMs: record.ttlMs,
            value: record.value(next.value as Readonly<T>),
          },
        },
      );
      if (result.outcome === 'gone') throw new SessionGoneError();
      if (result.outcome === 'recorded') {
        state.persisted = true;
        return { result: { recorded: result.record }, bytes: 0 };
      }
      if (result.outcome === 'written') {
        state.persisted = true;
        state.attributes.set(name, next);
        state.stored.set(name, next.json);
        state.changed.delete(name);
        state.removed.delete(name);
        return { result: { value: next.value as Readonly<T> }, bytes: next.json.length };
      }
      if (step) step.conflicts += 1;
      // The session exists now even if this attempt lost: a concurrent update created it.
      state.persisted = true;
      current = result.current && state.load(name, result.current);
      expected = result.current?.json;
      // Retry at once on the fresh value the conflict returned; if that loses too, the attribute
      // is contended: back off so the contenders stop colliding in lockstep.
      if (attempt % 2 === 0 && attempt < updateMaxAttempts) await backoff(attempt / 2);
    }
    throw new SessionUpdateConflictError(name, updateMaxAttempts);
  }

  /**
   * With `durableWrites`: resolves once the session as stored now (whichever node wrote it) is
   * held by enough replicas, or applies `onTimeout` as a write would: rejects with
   * `SessionNotReplicatedError` (503) for `'fail'`, logs for `'warn'`. Rejects with
   * `SessionGoneError` when the session ended meanwhile. Without `durableWrites`, and for a
   * session not stored yet, it resolves at once without a round trip.
   *
   * Writes confirm themselves; call this before an answer built from what the request *read*
   * says a change is safe, e.g. an idempotent replay: the first attempt's write reached the
   * primary but timed out waiting for replicas (503), and its retry finds it already made.
   * Costs two round trips (a touch, then WAIT; see `ReplicatedSessionStore`).
   */
  async confirmDurable(): Promise<void> {
    if (this.state.invalidated || !this.state.persisted) return;
    await this.context.store.confirmDurable?.(this.state.storedId, Date.now());
  }

  /**
   * Gives the session a new token on commit, keeping its data and TTL; the old token stops
   * working. Call it on every privilege change (login) against session fixation.
   */
  changeId(): void {
    this.assertUsable();
    this.state.rotate(newSessionToken());
  }

  /** Deletes the session on commit and tells the client to forget its token. */
  invalidate(): void {
    this.state.invalidated = true;
  }

  /** A plain-object view for logs and debugging: never includes the token. */
  toJSON(): object {
    return {
      id: this.id,
      isNew: this.isNew,
      attributes: Object.fromEntries([...this.state.attributes].map(([k, a]) => [k, a.value])),
    };
  }

  /** @private */
  private assertUsable(): void {
    if (this.state.invalidated) throw new SessionGoneError();
  }

  /**
   * @private Serializes (through the attribute's schema, over `read`: what it replaces), checks
   * the size limits, and freezes the value handlers will read.
   */
  private toAttribute(
    name: string,
    value: unknown,
    read: DecodedValue | undefined,
  ): LoadedAttribute {
    if (typeof name !== 'string' || name.length === 0) {
      throw new SessionValueInvalidError(
        String(name),
        new TypeError('name must be a non-empty string'),
      );
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(this.state.schemas.encode(name, value, read));
    } catch (err) {
      throw new SessionValueInvalidError(name, err);
    }
    if (json === undefined) throw new SessionValueInvalidError(name);
    const bytes = Buffer.byteLength(json);
    if (bytes > this.context.maxAttributeBytes) {
      throw new SessionAttributeTooLargeError(name, bytes, this.context.maxAttributeBytes);
    }
    let total = bytes;
    for (const [other, attribute] of this.state.attributes) {
      if (other !== name) total += Buffer.byteLength(attribute.json);
    }
    if (total > this.context.maxSessionBytes) {
      throw new SessionTooLargeError(total, this.context.maxSessionBytes);
    }
    // Read our own JSON back: a detached, frozen copy that equals what the next request reads.
    return this.state.load(name, { json, value: JSON.parse(json) }) as LoadedAttribute;
  }
}

/**
 * @private Exponential backoff with full jitter, so the losers of a compare-and-set race spread
 * out instead of colliding again in lockstep.
 */
function backoff(round: number): Promise<void> {
  const ceilingMs = Math.min(200, 5 * 2 ** round);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceilingMs));
}

/** @private */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
