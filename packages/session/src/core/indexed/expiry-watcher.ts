import type { Redis } from 'ioredis';
import type { SessionLogger } from '../options.js';
import type { IndexedValkeySessionStore } from './indexed-session-store.js';

/** Ledger entries one sweep script settles. */
const SWEEP_BATCH = 500;
/** Batches per sweep; whatever is left waits for the next one. */
const SWEEP_MAX_BATCHES = 100;

/**
 * Turns expirations into `expired` events, two ways. The sweep is the guarantee: every
 * `sweepIntervalMs` it settles each ledger entry whose expiry passed (its EXISTS also makes
 * Valkey reclaim the key), which covers every node having been down. The notification is an
 * accelerator: Valkey publishes a key on `__keyevent@<db>__:expired` when it reclaims it (which
 * can lag far behind the expiry), every node hears it and runs the reap script, and whichever
 * runs first records the event; the others find nothing left to record.
 */
export class ExpiryWatcher {
  private subscriber: Redis | undefined;
  private readonly reaping = new Set<Promise<unknown>>();
  private failing = false;

  constructor(
    private readonly client: Redis,
    private readonly store: IndexedValkeySessionStore,
    private readonly logger: SessionLogger,
  ) {}

  /** Subscribes to expirations on a connection of its own (ioredis resubscribes after a reconnect). */
  async subscribe(): Promise<void> {
    const subscriber = this.client.duplicate({
      // Wait for the server rather than fail: this connection lives as long as the manager.
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      connectionName: `${this.client.options.connectionName ?? 'baton'}:expirations`,
    });
    subscriber.on('error', () => {}); // outages are reported through the application's client
    subscriber.on('message', (_channel: string, key: string) => this.onExpired(key));
    this.subscriber = subscriber;
    await subscriber.subscribe(`__keyevent@${this.client.options.db ?? 0}__:expired`);
  }

  /** Settles every due ledger entry (up to 50 000 per call). Resolves how many expired. */
  async sweep(): Promise<number> {
    let expired = 0;
    for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
      const result = await this.store.sweep(SWEEP_BATCH);
      expired += result.expired;
      if (result.examined < SWEEP_BATCH) break;
    }
    return expired;
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    await Promise.allSettled([...this.reaping]);
  }

  /** @private */
  private onExpired(key: string): void {
    const id = this.store.keys.idOfSessionKey(key);
    if (id === undefined) return;
    const reaping = this.store.reap(id).then(
      () => {
        this.failing = false;
      },
      (err: unknown) => {
        // The sweep settles it later; say so once per outage, not once per session.
        if (!this.failing) this.logger.warn({ err }, 'could not settle an expired session now');
        this.failing = true;
      },
    );
    this.reaping.add(reaping);
    void reaping.finally(() => this.reaping.delete(reaping));
  }
}
