import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type SessionLogger, type SessionOptions, createValkeyClient } from '@baton/session';
import type { ServiceEnv } from './config.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * The Valkey client every app builds from the same variables. An outage is logged once when it
 * starts and once when it ends, not on every reconnect attempt (ioredis emits `error` for each,
 * and prints them all when nobody listens).
 */
export function valkeyClientFrom(env: ServiceEnv, logger?: Pick<Logger, 'error' | 'info'>): Redis {
  const client = createValkeyClient({
    url: env.VALKEY_URL,
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
    commandTimeoutMs: env.VALKEY_COMMAND_TIMEOUT_MS,
    connectionName: env.INSTANCE_ID,
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger?.error(
      { err: err.message },
      'valkey unreachable: requests that need a session answer 503 until it is back',
    );
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info('valkey reachable again');
  });
  return client;
}

/** Session options shared by every app; `resolver` differs between the edge and the services. */
export function sessionOptionsFrom(
  env: ServiceEnv,
  client: Redis,
  resolver: SessionOptions['resolver'],
  logger: SessionLogger,
  metrics: ServiceMetrics,
): SessionOptions {
  return {
    client,
    namespace: env.SESSION_NAMESPACE,
    maxInactiveIntervalMs: env.SESSION_MAX_INACTIVE_SECONDS * 1000,
    resolver,
    cookie: { secure: env.COOKIE_SECURE },
    logger,
    observer: metrics.sessionObserver,
  };
}
