import type { Redis } from 'ioredis';
import type { KeyLayout } from '../key-layout.js';
import type { SessionLogger, SessionObserver } from '../options.js';
import type {
  CompareAndSetResult,
  WriteEffects,
  SessionDelta,
  SessionRecord,
  SessionStore,
} from '../session-store.js';
import { InvalidationTracking } from './invalidation-tracking.js';
import { NearCache, type NearCacheStats } from './near-cache.js';
import type { ResolvedNearCacheOptions } from './near-cache-options.js';
import { TrackedReader } from './tracked-reader.js';

/**
 * A {@link SessionStore} that serves repeated reads of a session from this process's memory
 * (the `nearCache` option; Redisson's `LocalCachedMap` for sessions). Writes go to the wrapped
 * store unchanged; reads that miss go to Valkey on a tracked connection, so Valkey tells this
 * process when any node changes a session it holds.
 *
 * What it gives up, exactly (docs/near-cache.md has the measurements):
 * - another node's write is seen here once its invalidation arrived, not the moment the write
 *   was acknowledged (`sync()` waits for that);
 * - the expiry slides and `lastAccess` is written at most once per touch interval;
 * - this process's own writes are seen at once (it drops its entry when it writes).
 */
export class NearCachedSessionStore implements SessionStore {
  private readonly cache: NearCache;
  private readonly tracking: InvalidationTracking;
  private readonly reader: TrackedReader;

  /**
   * @param store where writes go, and reads while invalidation is not running
   * @param keys the store's key layout: invalidations name keys, the cache holds ids
   * @param client the application's connection; the near cache opens two more like it
   */
  constructor(
    private readonly store: SessionStore,
    keys: KeyLayout,
    client: Redis,
    options: ResolvedNearCacheOptions,
    logger: SessionLogger,
    observer?: SessionObserver,
  ) {
    this.cache = new NearCache(options);
    this.tracking = new InvalidationTracking(client, this.cache, keys, logger);
    this.reader = new TrackedReader(
      this.tracking.reader,
      keys.namespace,
      logger,
      options.touchIntervalMs,
      observer,
    );
  }

  async loadAndTouch(id: string, now: number): Promise<SessionRecord | null> {
    const cached = this.cache.get(id, now);
    if (cached !== undefined) return cached;
    // Invalidation is not running (starting, reconnecting): read through, exactly as without it.
    if (!this.cache.active) return this.store.loadAndTouch(id, now);
    const ticket = this.cache.begin(id);
    let record: SessionRecord | null;
    try {
      record = await this.reader.loadAndTouch(id, now);
    } catch (err) {
      this.cache.abandon(ticket);
      throw err;
    }
    this.cache.settle(ticket, record, now);
    return record;
  }

  saveDelta(id: string, delta: SessionDelta): Promise<boolean> {
    return this.writing([id], () => this.store.saveDelta(id, delta));
  }

  compareAndSet(
    id: string,
    name: string,
    expected: string | undefined,
    next: string,
    ttlMs: number,
    create?: { createdAt: number; now: number },
    effects?: WriteEffects,
  ): Promise<CompareAndSetResult> {
    return this.writing([id], () =>
      this.store.compareAndSet(id, name, expected, next, ttlMs, create, effects),
    );
  }

  /** Records are never cached: a retry must see the record its first attempt just wrote. */
  findRecord(id: string, name: string): Promise<string | undefined> {
    return this.store.findRecord(id, name);
  }

  rename(oldId: string, newId: string, delta: SessionDelta): Promise<boolean> {
    return this.writing([oldId, newId], () => this.store.rename(oldId, newId, delta));
  }

  delete(id: string): Promise<void> {
    return this.writing([id], () => this.store.delete(id));
  }

  /**
   * Passed on to the wrapped store (a no-op without `durableWrites`). It bypasses this cache on
   * purpose: a hit proves nothing about replicas, so the durable store touches the session on the
   * application's connection and WAITs there; the entry goes, as for any write.
   */
  async confirmDurable(id: string, now: number): Promise<void> {
    const confirm = this.store.confirmDurable?.bind(this.store);
    if (confirm) await this.writing([id], () => confirm(id, now));
  }

  /**
   * True while reads may be served from memory: tracking armed on a live connection and its
   * invalidations subscribed. False while starting or reconnecting (reads go to Valkey).
   */
  get active(): boolean {
    return this.cache.active;
  }

  /** Resolves once invalidation runs for the first time (tracking armed). */
  ready(): Promise<void> {
    return this.tracking.ready();
  }

  /**
   * Resolves once every invalidation Valkey sent before this call has been applied. After it, a
   * read here sees every write that any node had acknowledged before the call.
   */
  sync(): Promise<void> {
    return this.tracking.sync();
  }

  stats(): NearCacheStats {
    return this.cache.stats();
  }

  /** Closes the two connections the near cache opened. The application's client stays open. */
  close(): Promise<void> {
    return this.tracking.close();
  }

  /**
   * @private This process's own writes: the entry goes before the write (no hit can return the
   * old value once the write may have landed) and again after it (a read that raced the write
   * must not cache what it read), whether the write succeeded, failed or timed out.
   */
  private async writing<T>(ids: string[], write: () => Promise<T>): Promise<T> {
    for (const id of ids) this.cache.invalidate(id);
    try {
      return await write();
    } finally {
      for (const id of ids) this.cache.invalidate(id);
    }
  }
}
