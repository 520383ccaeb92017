import type { Cluster, Redis } from 'ioredis';
import type { KeyLayout } from '../key-layout.js';
import type { SessionLogger } from '../options.js';
import { isCluster, mastersOf } from './connections.js';

/** What the watcher needs of an indexed store (standalone or Cluster). */
export interface ExpirySettler {
  readonly keys: KeyLayout;
  reap(id: string): Promise<boolean>;
  sweep(limit: number): Promise<{ expired: number; examined: number }>;
}

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
 *
 * On a Cluster each master publishes only its own keys' expirations, so the watcher subscribes on
 * every master, and `subscribe()` again (after the client reconnects) adds masters it has not
 * seen, such as a replica promoted by a failover.
 */
export class ExpiryWatcher {
  /** One subscriber per server, by `host:port`. */
  private readonly subscribers = new Map<string, Redis>();
  private readonly reaping = new Set<Promise<unknown>>();
  private failing = false;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly store: ExpirySettler,
    private readonly logger: SessionLogger,
  ) {}

  /**
   * Subscribes to expirations on a connection of its own per server (ioredis resubscribes after a
   * reconnect). Calling it again subscribes to servers that are new since.
   */
  async subscribe(): Promise<void> {
    const db = isCluster(this.client) ? 0 : (this.client.options.db ?? 0);
    const name = isCluster(this.client)
      ? this.client.options.redisOptions?.connectionName
      : this.client.options.connectionName;
    await Promise.all(
      mastersOf(this.client).map(async (server) => {
        const address = `${server.options.host}:${server.options.port}`;
        if (this.subscribers.has(address)) return;
        const subscriber = server.duplicate({
          // Wait for the server rather than fail: this connection lives as long as the manager.
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          commandTimeout: undefined,
          connectionName: `${name ?? 'baton'}:expirations`,
        });
        subscriber.on('error', () => {}); // outages are reported through the application's client
        subscriber.on('message', (_channel: string, key: string) => this.onExpired(key));
        this.subscribers.set(address, subscriber);
        await subscriber.subscribe(`__keyevent@${db}__:expired`);
      }),
    );
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
    for (const subscriber of this.subscribers.values()) subscriber.disconnect();
    this.subscribers.clear();
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
