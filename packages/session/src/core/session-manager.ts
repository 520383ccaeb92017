import type { Cluster, Redis } from 'ioredis';
import { SessionGoneError, SessionOptionsInvalidError } from './errors.js';
import type { RequestHeaders, ResponseHeaders } from './id-resolvers/id-resolver.js';
import { type ResolvedSessionOptions, type SessionOptions, resolveOptions } from './options.js';
import { Session, SessionState } from './session.js';
import type { SessionStore } from './session-store.js';
import { isWellFormedToken, newSessionToken, sessionIdOf } from './session-token.js';
import { ValkeySessionStore } from './valkey-session-store.js';
import { IndexedMode } from './indexed/indexed-mode.js';
import type { SessionIndex } from './indexed/session-index.js';
import { SessionEvents } from './indexed/session-events.js';

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
      // resolveOptions refused a Cluster for indexed mode.
      this.indexed = new IndexedMode(client as Redis, this.options, indexed);
      this.store = this.indexed.store;
    } else {
      this.store = new ValkeySessionStore(client, namespace, logger, observer);
      this.disabledEvents = new SessionEvents(false, logger);
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
   * consumer group in place and a first sweep done. Resolves at once when `indexed` is off.
   */
  ready(): Promise<void> {
    return this.indexed?.ready() ?? Promise.resolve();
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
   * that is running finishes). The client stays open: whoever created it quits it. Does nothing
   * when `indexed` is off.
   */
  close(): Promise<void> {
    return this.indexed?.close() ?? Promise.resolve();
  }

  /**
   * Loads the session the request names, in one round trip, or starts an empty one in memory.
   * A token that is malformed, unknown or expired is never adopted: the request gets a fresh
   * session with a fresh token. A request without a token costs no round trip at all.
   */
  async open(req: RequestHeaders): Promise<OpenSession> {
    const now = Date.now();
    const sent = this.options.resolver.resolve(req);
    const record =
      sent !== undefined && isWellFormedToken(sent)
        ? await this.store.loadAndTouch(sessionIdOf(sent), now)
        : null;
    const token = record ? (sent as string) : newSessionToken();
    const state = new SessionState(token, record, this.options.maxInactiveIntervalMs, now);
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
    this.committed ??= this.write(res);
    return this.committed;
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
