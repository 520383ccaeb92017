import type { Redis } from 'ioredis';
import {
  SessionGoneError,
  SessionNotReplicatedError,
  SessionStoreUnavailableError,
} from '../errors.js';
import type { SessionLogger, SessionObserver } from '../options.js';
import type {
  CompareAndSetResult,
  WriteEffects,
  SessionDelta,
  SessionRecord,
  SessionStore,
} from '../session-store.js';
import type { ResolvedDurableWrites } from './durable-writes-options.js';

/**
 * A {@link SessionStore} whose writes return only once `replicas` replicas hold them: each write
 * that changed something is followed by `WAIT replicas timeoutMs` on the same connection. WAIT
 * waits for everything this connection wrote so far, which includes this write even when other
 * requests share the connection. Reads and the TTL touch of `loadAndTouch` are not waited for:
 * losing a touch in a failover only shortens a session's idle time by one request.
 */
export class ReplicatedSessionStore implements SessionStore {
  constructor(
    private readonly inner: SessionStore,
    private readonly client: Redis,
    private readonly options: ResolvedDurableWrites,
    private readonly logger: SessionLogger,
    private readonly observer?: SessionObserver,
  ) {}

  loadAndTouch(id: string, now: number): Promise<SessionRecord | null> {
    return this.inner.loadAndTouch(id, now);
  }

  saveDelta(id: string, delta: SessionDelta): Promise<boolean> {
    return this.waitedFor(
      () => this.inner.saveDelta(id, delta),
      (saved) => saved,
    );
  }

  async compareAndSet(
    id: string,
    name: string,
    expected: string | undefined,
    next: string,
    ttlMs: number,
    create?: { createdAt: number; now: number },
    effects?: WriteEffects,
  ): Promise<CompareAndSetResult> {
    return this.waitedFor(
      () => this.inner.compareAndSet(id, name, expected, next, ttlMs, create, effects),
      (result) => result.outcome === 'written',
    );
  }

  findRecord(id: string, name: string): Promise<string | undefined> {
    return this.inner.findRecord(id, name);
  }

  rename(oldId: string, newId: string, delta: SessionDelta): Promise<boolean> {
    return this.waitedFor(
      () => this.inner.rename(oldId, newId, delta),
      (moved) => moved,
    );
  }

  /** A logout that a failover undoes would bring the session back: deletes are waited for too. */
  delete(id: string): Promise<void> {
    return this.waitedFor(
      () => this.inner.delete(id),
      () => true,
    );
  }

  /**
   * Touches the session on this connection, then WAITs. The touch is what makes the WAIT mean
   * something: WAIT waits for the replication offset of this connection's last write, not for
   * what the request read. Replication is one ordered stream, so a write sent now covers all the
   * primary held before it, including a change another connection or node made and this request
   * only read. Without the touch the WAIT could cover less than that read: a near-cache hit makes
   * no round trip, a near-cache miss loads (and touches at most once per interval) on the near
   * cache's own connection, and a compare-and-set that lost a race reads without writing. The
   * touch is what every request's load does anyway (lastAccess, expiry); it costs one round trip,
   * on replays only. A reconnect between the touch and the WAIT is caught as for every write
   * (see `replicated`).
   */
  async confirmDurable(id: string, now: number): Promise<void> {
    const record = await this.waitedFor(
      () => this.inner.loadAndTouch(id, now),
      (loaded) => loaded !== null,
    );
    if (!record) throw new SessionGoneError();
  }

  /**
   * @private Runs `write`, then WAITs when `changed` says it wrote something. The connection is
   * noted before the write goes out, so that `replicated` can tell whether its WAIT still speaks
   * for that write.
   */
  private async waitedFor<T>(write: () => Promise<T>, changed: (result: T) => boolean): Promise<T> {
    const connection = this.client.stream;
    const result = await write();
    if (changed(result)) await this.replicated(connection);
    return result;
  }

  /**
   * @private Sends WAIT; applies `onTimeout` when fewer replicas than asked acknowledged, or when
   * the connection is no longer the one the write went out on. WAIT counts the replicas that
   * hold this *connection's* writes, so on a new connection (a reconnect, or ioredis resending a
   * WAIT that a `CLIENT KILL` cut, as Sentinel does when it demotes an old primary) it answers
   * at once with every replica, whether or not any holds the write. Whether the write survives
   * is then unknown: not replicated, as far as this request can tell.
   */
  private async replicated(connection: Redis['stream']): Promise<void> {
    const { replicas, timeoutMs, onTimeout } = this.options;
    const started = performance.now();
    let acknowledged: number;
    try {
      acknowledged = await this.client.wait(replicas, timeoutMs);
    } catch (err) {
      this.observer?.onStoreCall('replicate', performance.now() - started, 'error');
      throw new SessionStoreUnavailableError(err);
    }
    const sameConnection = this.client.stream === connection;
    if (!sameConnection) acknowledged = 0;
    const ok = acknowledged >= replicas;
    this.observer?.onStoreCall('replicate', performance.now() - started, ok ? 'ok' : 'error');
    if (ok) return;
    if (onTimeout === 'fail')
      throw new SessionNotReplicatedError(acknowledged, replicas, timeoutMs);
    this.logger.warn(
      { code: 'SESSION_NOT_REPLICATED', acknowledged, replicas, timeoutMs, sameConnection },
      'session write not acknowledged by enough replicas in time; answering anyway (durableWrites.onTimeout is warn)',
    );
  }
}
