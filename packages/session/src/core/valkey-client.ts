import { Redis, type RedisOptions } from 'ioredis';

export interface ValkeyClientOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /** Overrides the password in the URL (the article's `REDIS_PASSWORD`). */
  password?: string;
  /** How long one command may take before it fails with a timeout, in ms. @default 500 */
  commandTimeoutMs?: number;
  /** Shows in `CLIENT LIST`, e.g. the instance id. */
  connectionName?: string;
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
    ...(options.connectionName !== undefined ? { connectionName: options.connectionName } : {}),
  };
  return new Redis(options.url ?? 'redis://127.0.0.1:6379', redisOptions);
}

/** Resolves once the client is connected and ready, or rejects after `timeoutMs`. */
export async function waitUntilReady(client: Redis, timeoutMs = 5_000): Promise<void> {
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
