import type { Cluster, Redis } from 'ioredis';
import { SessionGoneError } from './errors.js';
import type { RequestHeaders, ResponseHeaders } from './id-resolvers/id-resolver.js';
import { type ResolvedSessionOptions, type SessionOptions, resolveOptions } from './options.js';
import { Session, SessionState } from './session.js';
import type { SessionStore } from './session-store.js';
import { isWellFormedToken, newSessionToken, sessionIdOf } from './session-token.js';
import { ValkeySessionStore } from './valkey-session-store.js';

/**
 * The HTTP-agnostic request cycle (Spring Session's `SessionRepositoryFilter`, minus the
 * servlet): `open` resolves the token and loads the session, `commit` writes what changed and
 * tells the client about a new or ended token. The Express and Nest adapters only call these two.
 */
export class SessionManager {
  readonly options: ResolvedSessionOptions;
  readonly store: SessionStore;

  constructor(input: SessionOptions) {
    this.options = resolveOptions(input);
    this.store = new ValkeySessionStore(
      this.options.client,
      this.options.namespace,
      this.options.logger,
      this.options.observer,
    );
  }

  get client(): Redis | Cluster {
    return this.options.client;
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
    const storedId = sessionIdOf(state.storedToken);
    const now = Date.now();

    if (state.invalidated) {
      if (state.persisted) await store.delete(storedId);
      if (state.clientHasToken || state.persisted) options.resolver.expire(res);
      return;
    }
    if (state.nextToken !== undefined && state.persisted) {
      const moved = await store.rename(
        storedId,
        sessionIdOf(state.nextToken),
        state.delta(false, now),
      );
      if (!moved) throw new SessionGoneError();
      options.resolver.set(res, state.nextToken);
      return;
    }
    if (state.hasChanges()) {
      const saved = await store.saveDelta(
        sessionIdOf(state.token),
        state.delta(!state.persisted, now),
      );
      if (!saved) throw new SessionGoneError();
      state.persisted = true;
    }
    // A brand-new (or renamed-before-stored) session that now exists: hand the client its token.
    if (state.persisted && (!state.clientHasToken || state.nextToken !== undefined)) {
      options.resolver.set(res, state.token);
    }
  }
}
