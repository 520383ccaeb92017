import type { ConnectionOptions } from 'node:tls';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';

export interface ValkeyClientOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** Overrides the password in the URL (the article's `REDIS_PASSWORD`). */
  password?: string;
  /** ACL user to AUTH as (overrides the URL's user); without it, AUTH uses `default`. */
  username?: string;
  /**
   * TLS settings, e.g. `{ ca }` for a private CA. A `rediss://` URL turns TLS on by itself
   * (system CAs); giving this with a `redis://` URL turns it on too.
   */
  tls?: ConnectionOptions;
  /** How long one command may take before it fails with a timeout, in ms. @default 500 */
  commandTimeoutMs?: number;
  /** Shows in `CLIENT LIST`, e.g. the instance id. */
  connectionName?: string;
  /**
   * Sentinel mode: ask these sentinels where the primary of {@link sentinelName} is, instead of
   * connecting to `url`'s host (the URL then only supplies credentials and TLS, if any).
   */
  sentinels?: { host: string; port: number }[];
  /** The master group name the sentinels monitor. @default 'baton' */
  sentinelName?: string;
}

/**
 * What a Sentinel client needs on top of the fail-fast settings: always the primary, and a
 * reconnection when a command meets a demoted primary (`READONLY`): its socket is alive, so
 * nothing else would make ioredis ask the sentinels again. The command that met READONLY still
 * fails (a 503): it was not executed, and with no offline queue it cannot be resent.
 *
 * `failoverDetector` (reconnect on any sentinel's `+switch-master`) stays off: in ioredis 6.0.0,
 * when the announcement arrives while the client is already reconnecting (the primary crashed),
 * the detector's disconnect makes that connect attempt reject and the client ends for good
 * (status `end`, every command "Connection is closed"): seen in about one failover in six in
 * `sentinel-failover.test.ts`. A crashed primary closes its sockets and a demoted one closes its
 * clients (Sentinel sends CLIENT KILL), so the detector only helps for a primary that hangs with
 * its sockets open; there commands time out (503) until TCP gives up on the connection.
 */
function sentinelOptions(options: ValkeyClientOptions): RedisOptions {
  return {
    sentinels: options.sentinels,
    name: options.sentinelName ?? 'baton',
    role: 'master',
    failoverDetector: false,
    sentinelCommandTimeout: 1_000,
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
}

/**
 * An ioredis client set up for a session store: commands fail fast instead of queueing while
 * Valkey is away (no offline queue, a short command timeout), and it reconnects on its own with a
 * short, capped backoff so requests succeed again within about a second of Valkey's return.
 */
export function createValkeyClient(options: ValkeyClientOptions = {}): Redis {
  const redisOptions: RedisOptions = {
    commandTimeout: options.commandTimeoutMs ?? 500,
    // Queueing while disconnected would turn an outage into hanging requests and unbounded memory.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(options.connectionName !== undefined ? { connectionName: options.connectionName } : {}),
    ...(options.sentinels?.length ? sentinelOptions(options) : {}),
  };
  return new Redis(options.url ?? 'redis://127.0.0.1:6379', redisOptions);
}

/** Resolves once the client is connected and ready, or rejects after `timeoutMs`. */
export async function waitUntilReady(client: Redis | Cluster, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Valkey was not ready within ${timeoutMs} ms (status: ${client.status})`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
