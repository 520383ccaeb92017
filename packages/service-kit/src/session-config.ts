import type { Redis } from 'ioredis';
import { type SessionLogger, type SessionOptions, createValkeyClient } from '@baton/session';
import type { ServiceEnv } from './config.js';
import type { ServiceMetrics } from './metrics.js';

/** The Valkey client every app builds from the same variables. */
export function valkeyClientFrom(env: ServiceEnv): Redis {
  return createValkeyClient({
    url: env.VALKEY_URL,
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
    commandTimeoutMs: env.VALKEY_COMMAND_TIMEOUT_MS,
    connectionName: env.INSTANCE_ID,
  });
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
