import type { Cluster, Redis } from 'ioredis';
import { SessionGoneError, SessionOptionsInvalidError } from './errors.js';
import type { RequestHeaders, ResponseHeaders } from './id-resolvers/id-resolver.js';
import {
  type ResolvedSessionOptions,
  type SessionObserver,
  type SessionOptions,
  resolveOptions,
} from './options.js';
import { StepTimer } from './session-step.js';
import { Session, SessionState } from './session.js';
import type { SessionRecord, SessionStore } from './session-store.js';
import { isWellFormedToken, newSessionToken, sessionIdOf } from './session-token.js';
import { ValkeySessionStore } from './valkey-session-store.js';
import { IndexedMode } from './indexed/indexed-mode.js';
import type { SessionIndex } from './indexed/session-index.js';
import { SessionEvents } from './indexed/session-events.js';
import { ReplicatedSessionStore } from './durable/replicated-session-store.js';
import { KeyLayout } from './key-layout.js';
import { NearCachedSessionStore } from './near-cache/near-cached-session-store.js';

/**
 * The HTTP-agnostic request cycle (Spring Session's `SessionRepositoryFilter`, minus the
 * servlet): `open` resolves the token and loads the session, `commit` writes what changed and
 * tells the client about a new or ended token. The Express and Nest adapters only call these two.
 */
export class SessionManager {
  readonly options: ResolvedSessionOptions;
  readonly store: SessionStore;
  /** Indexed mode's background work; undefined when `indexed` is off. */
  private readonly indexed: IndexedMode | undefined;
  /** The near cache (its `stats()` and `sync()`); undefined when `nearCache` is off. */
  readonly nearCache: NearCachedSessionStore | undefined;
  private readonly disabledEvents: SessionEvents | undefined;

  /**
   * Checks the options (throwing `SessionOptionsInvalidError` naming the field). In indexed mode
   * it also starts, in the background, the expiry subscriber, the periodic sweep and the
   * configure action; `close()` stops them.
   */
  constructor(input: SessionOptions) {
    this.options = resolveOptions(input);
    const { client, namespace, logger, observer, indexed } = this.options;
    if (indexed) {
      this.indexed = new IndexedMode(client, this.options, indexed);
      this.store = this.indexed.store;
    } else {
      this.store = new ValkeySessionStore(client, namespace, logger, observer);
      this.disabledEvents = new SessionEvents(false, logger);
    }
    if (this.options.durableWrites) {
      // resolveOptions refused a Cluster for durable writes.
      const { durableWrites } = this.options;
      this.store = new ReplicatedSessionStore(
        this.store,
        client as Redis,
        durableWrites,
        logger,
        observer,
      );
    }
    if (this.options.nearCache) {
      // Outermost, so that its own-write invalidation spans the whole write (WAIT included).
      // resolveOptions refused a Cluster and indexed mode for the near cache.
      this.nearCache = new NearCachedSessionStore(
        this.store,
        new KeyLayout(namespace),
        client as Redis,
        this.options.nearCache,
        logger,
        observer,
      );
      this.store = this.nearCache;
    }
  }

  get client(): Redis | Cluster {
    return this.options.client;
  }

  /**
   * Indexed mode: find and revoke a principal's sessions. Throws `SessionOptionsInvalidError`
   * when `indexed` is not set.
   */
  get index(): SessionIndex {
    if (!this.indexed) {
      throw new SessionOptionsInvalidError(
        'indexed',
        'is not set: manager.index needs indexed mode',
      );
    }
    return this.indexed.store;
  }

  /** Indexed mode: `created`, `deleted` and `expired`; `on()` throws when `indexed` is not set. */
  get events(): SessionEvents {
    return this.indexed?.events ?? (this.disabledEvents as SessionEvents);
  }

  /**
   * Resolves once indexed mode is running: expirations subscribed, notifications configured, the
   * consumer group in place and a first sweep done; and, with `nearCache`, once its tracking is
   * armed (before that, reads go to Valkey). Resolves at once when neither is on.
   */
  async ready(): Promise<void> {
    await Promise.all([this.indexed?.ready(), this.nearCache?.ready()]);
  }

  /**
   * Indexed mode: settles now every session whose expiry passed (what the periodic sweep does):
   * removes it from the index and records its `expired` event once. Resolves how many expired.
   */
  sweep(): Promise<number> {
    return this.indexed?.sweep() ?? Promise.resolve(0);
  }

  /**
   * Stops what indexed mode runs (sweep timer, subscriber, event consumer, after the listener
   * that is running finishes), and the near cache's two connections. The client stays open:
   * whoever created it quits it (the near cache's connections also close when it ends). Does
   * nothing when neither is on.
   */
  async close(): Promise<void> {
    await Promise.all([this.indexed?.close(), this.nearCache?.close()]);
  }

  /**
   * Loads the session the request names, in one round trip, or starts an empty one in memory.
   * A token that is malformed, unknown or expired is never adopted: the request gets a fresh
   * session with a fresh token. A request without a token costs no round trip at all.
   */
  async open(req: RequestHeaders): Promise<OpenSession> {
    const now = Date.now();
    const sent = this.options.resolver.resolve(req);
    const known = sent !== undefined && isWellFormedToken(sent);
    const { observer } = this.options;
    const step = observer?.onSessionStep && known ? new StepTimer('load', observer) : undefined;
    let record: SessionRecord | null;
    try {
      record = known ? await this.store.loadAndTouch(sessionIdOf(sent), now) : null;
    } catch (err) {
      step?.done({ bytes: 0, outcome: 'error' });
      throw err;
    }
    if (step) {
      step.roundTrips = 1;
      step.done({ bytes: record ? recordBytes(record) : 0, outcome: 'ok' });
    }
    const token = record ? (sent as string) : newSessionToken();
    const state = new SessionState(
      token,
      record,
      this.options.maxInactiveIntervalMs,
      now,
      this.options.attributeSchemas,
    );
    return new OpenSession(state, new Session(state, { ...this.options, store: this.store }), this);
  }
}

/** One request's session between `open` and `commit`. */
export class OpenSession {
  private committed: Promise<void> | undefined;

  constructor(
    private readonly state: SessionState,
    readonly session: Session,
    private readonly manager: SessionManager,
  ) {}

  /**
   * Writes the request's changes (at most one round trip; two more for `changeId()` of a stored
   * session) and sets or expires the token on the response. Call it before the response's
   * headers are sent; it resolves only once Valkey acknowledged, which is what makes the next
   * request, on any node, read this one's writes. Calling it again returns the first result.
   */
  commit(res: ResponseHeaders): Promise<void> {
    const { observer } = this.manager.options;
    this.committed ??= observer?.onSessionStep ? this.traced(res, observer) : this.write(res);
    return this.committed;
  }

  /** @private write() as a `commit` step: its round trips and the bytes of its delta. */
  private async traced(res: ResponseHeaders, observer: SessionObserver): Promise<void> {
    const step = new StepTimer('commit', observer);
    const { state } = this;
    let bytes = 0;
    for (const name of state.invalidated ? [] : state.changed) {
      bytes += state.attributes.get(name)?.json.length ?? 0;
    }
    step.roundTrips = state.invalidated
      ? Number(state.persisted)
      : state.nextToken !== undefined && state.persisted
        ? 1
        : Number(state.hasChanges());
    try {
      await this.write(res);
      step.done({ bytes, outcome: 'ok' });
    } catch (err) {
      step.done({ bytes, outcome: 'error' });
      throw err;
    }
  }

  /** @private */
  private async write(res: ResponseHeaders): Promise<void> {
    const { state } = this;
    const { store, options } = this.manager;
    const storedId = state.storedId;
    const now = Date.now();

    if (state.invalidated) {
      if (state.persisted) await store.delete(storedId);
      if (state.clientHasToken || state.persisted) options.resolver.expire(res);
      return;
    }
    if (state.nextToken !== undefined && state.persisted) {
      const moved = await store.rename(storedId, state.nextId as string, state.delta(false, now));
      if (!moved) throw new SessionGoneError();
      options.resolver.set(res, state.nextToken);
      return;
    }
    if (state.hasChanges()) {
      const saved = await store.saveDelta(state.id, state.delta(!state.persisted, now));
      if (!saved) throw new SessionGoneError();
      state.persisted = true;
    }
    // A brand-new (or renamed-before-stored) session that now exists: hand the client its token.
    if (state.persisted && (!state.clientHasToken || state.nextToken !== undefined)) {
      options.resolver.set(res, state.token);
    }
  }
}

/** @private The attribute JSON a load brought back, in UTF-16 code units. */
function recordBytes(record: SessionRecord): number {
  let bytes = 0;
  for (const attribute of record.attributes.values()) bytes += attribute.json.length;
  return bytes;
}
