import type { Redis } from 'ioredis';
import type { KeyLayout } from '../key-layout.js';
import type { SessionLogger } from '../options.js';
import type { NearCache } from './near-cache.js';

/** Where Valkey publishes invalidations for a RESP2 redirect client. */
export const INVALIDATION_CHANNEL = '__redis__:invalidate';

/**
 * Keeps the near cache coherent with Valkey's client-side caching, in redirect mode: the reads
 * go on a connection of their own with `CLIENT TRACKING ON REDIRECT <id> NOLOOP`, and a second,
 * RESP2 connection (id `<id>`) subscribed to `__redis__:invalidate` hears which keys changed.
 * (ioredis silently drops RESP3 `invalidate` pushes, so in-band tracking is not an option.)
 *
 * The cache is on only while both connections are up and tracking is armed. Any close of either
 * flushes it: Valkey forgets tracking with the connection, and invalidations sent while the
 * subscriber was away are lost. After a reconnect it arms again (a new subscriber id, so a new
 * REDIRECT) before anything is cached again.
 */
export class InvalidationTracking {
  /** The tracked connection: the near cache reads through it, and nothing else. */
  readonly reader: Redis;
  private readonly subscriber: Redis;
  private subscriberId: number | undefined;
  /** Bumped by every arm attempt and every disconnect; an attempt that is not the latest gives up. */
  private generation = 0;
  private armedOnce: Promise<void>;
  private markArmed: () => void = () => {};
  private failing = false;
  private closed = false;

  constructor(
    client: Redis,
    private readonly cache: NearCache,
    private readonly keys: KeyLayout,
    private readonly logger: SessionLogger,
  ) {
    const name = client.options.connectionName ?? 'baton';
    this.armedOnce = new Promise((resolve) => (this.markArmed = resolve));
    this.reader = client.duplicate({ connectionName: `${name}:near-cache-reads` });
    this.subscriber = client.duplicate({
      protocol: 2,
      // Resubscribing is done by hand: the new connection's id must be read before SUBSCRIBE.
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      connectionName: `${name}:near-cache-invalidations`,
    });
    for (const connection of [this.reader, this.subscriber]) {
      connection.on('error', () => {}); // outages are reported through the application's client
    }
    this.reader.on('ready', () => void this.arm());
    this.reader.on('close', () => this.disarm());
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => {
      this.subscriberId = undefined;
      this.disarm();
    });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: unknown) =>
      this.onInvalidation(channel, message),
    );
    // Who created the application's client closes it; these two follow it.
    client.once('end', () => void this.close());
  }

  /** Resolves once tracking has been armed for the first time. */
  ready(): Promise<void> {
    return this.armedOnce;
  }

  /**
   * Resolves once every invalidation Valkey sent before this call has reached the cache: a PING
   * on the subscriber answers after whatever is queued before it on that connection.
   */
  async sync(): Promise<void> {
    if (!this.cache.active) return;
    await this.subscriber.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.disable();
    await Promise.allSettled([quit(this.reader), quit(this.subscriber)]);
  }

  /** @private A fresh subscriber connection: learn its id, subscribe, then (re)arm tracking. */
  private async subscribe(): Promise<void> {
    const connection = this.subscriber;
    try {
      const id = Number(await connection.client('ID'));
      await connection.subscribe(INVALIDATION_CHANNEL);
      this.subscriberId = id;
    } catch (err) {
      // A drop while subscribing is retried by the next 'ready'; anything else is a refusal.
      if (connection.status === 'ready') {
        this.warnOnce(err, 'near cache: could not subscribe to invalidations; reading through');
      }
      return;
    }
    await this.arm();
  }

  /** @private */
  private async arm(): Promise<void> {
    const id = this.subscriberId;
    if (this.closed || id === undefined || this.reader.status !== 'ready') return;
    const generation = ++this.generation;
    try {
      await this.reader.client('TRACKING', 'ON', 'REDIRECT', id, 'NOLOOP');
    } catch (err) {
      // ACL or a managed service may refuse CLIENT TRACKING: the cache stays off, reads go on.
      if (this.reader.status === 'ready') {
        this.warnOnce(err, 'near cache: CLIENT TRACKING refused; reading through');
      }
      return;
    }
    // A disconnect (or a newer attempt) while this one was on its way wins.
    if (generation !== this.generation || this.subscriberId !== id || this.closed) return;
    this.failing = false;
    this.cache.enable();
    this.markArmed();
  }

  /** @private */
  private disarm(): void {
    this.generation++;
    this.cache.disable();
  }

  /** @private A list of changed keys, or null: everything changed (FLUSHALL, FLUSHDB). */
  private onInvalidation(channel: Buffer, message: unknown): void {
    if (channel.toString() !== INVALIDATION_CHANNEL) return;
    if (!Array.isArray(message)) {
      this.cache.flush();
      return;
    }
    for (const key of message) {
      const id = this.keys.idOfSessionKey(String(key));
      if (id !== undefined) this.cache.invalidate(id);
    }
  }

  /** @private */
  private warnOnce(err: unknown, msg: string): void {
    if (!this.failing && !this.closed) this.logger.warn({ err }, msg);
    this.failing = true;
  }
}

/** @private QUIT, falling back to a hard disconnect when the server is away. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
