import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  type SessionLogger,
  type SessionOptions,
  createValkeyClient,
  createValkeyClusterClient,
} from '@baton/session';
import type { ServiceEnv } from './config.js';
import type { ServiceMetrics } from './metrics.js';
import type { Tracing } from './tracing.js';

/**
 * The Valkey client every app builds from the same variables: a `Cluster` when
 * `VALKEY_CLUSTER_NODES` is set, else a `Redis` (one server, or Sentinel mode). An outage is
 * logged once when it starts and once when it ends, not on every reconnect attempt (ioredis emits
 * `error` for each, and prints them all when nobody listens).
 */
export function valkeyConnectionFrom(
  env: ServiceEnv,
  logger?: Pick<Logger, 'error' | 'info'>,
): Redis | Cluster {
  return logOutages(
    env.VALKEY_CLUSTER_NODES ? clusterClientFrom(env) : standaloneClientFrom(env),
    logger,
  );
}

/**
 * {@link valkeyConnectionFrom} for code that needs a `Redis` (tests, tools): throws when
 * `VALKEY_CLUSTER_NODES` is set, naming it, rather than hand out a Cluster typed as a server.
 */
export function valkeyClientFrom(env: ServiceEnv, logger?: Pick<Logger, 'error' | 'info'>): Redis {
  if (env.VALKEY_CLUSTER_NODES) {
    throw new TypeError('VALKEY_CLUSTER_NODES is set: use valkeyConnectionFrom (a Cluster)');
  }
  return logOutages(standaloneClientFrom(env), logger);
}

/** @private */
function logOutages<C extends Redis | Cluster>(
  client: C,
  logger: Pick<Logger, 'error' | 'info'> | undefined,
): C {
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

/** @private A `Redis`: one server at `VALKEY_URL`, or Sentinel mode. */
function standaloneClientFrom(env: ServiceEnv): Redis {
  return createValkeyClient({
    url: env.VALKEY_URL,
    ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
    ...(env.REDIS_USERNAME ? { username: env.REDIS_USERNAME } : {}),
    ...(env.VALKEY_TLS_CA_FILE ? { tls: { ca: readFileSync(env.VALKEY_TLS_CA_FILE) } } : {}),
    commandTimeoutMs: env.VALKEY_COMMAND_TIMEOUT_MS,
    connectionName: env.INSTANCE_ID,
    ...(env.VALKEY_SENTINELS
      ? { sentinels: env.VALKEY_SENTINELS, sentinelName: env.VALKEY_SENTINEL_NAME }
      : {}),
  });
}

/** @private A `Cluster` on `VALKEY_CLUSTER_NODES`, with `VALKEY_URL`'s credentials (if any). */
function clusterClientFrom(env: ServiceEnv): Cluster {
  const url = new URL(env.VALKEY_URL);
  const password = env.REDIS_PASSWORD ?? (decodeURIComponent(url.password) || undefined);
  const username = env.REDIS_USERNAME ?? (decodeURIComponent(url.username) || undefined);
  return createValkeyClusterClient({
    nodes: env.VALKEY_CLUSTER_NODES ?? [],
    ...(password ? { password } : {}),
    ...(username ? { username } : {}),
    commandTimeoutMs: env.VALKEY_COMMAND_TIMEOUT_MS,
    connectionName: env.INSTANCE_ID,
  });
}

/** Session options shared by every app; `resolver` differs between the edge and the services. */
export function sessionOptionsFrom(
  env: ServiceEnv,
  client: Redis | Cluster,
  resolver: SessionOptions['resolver'],
  logger: SessionLogger,
  metrics: ServiceMetrics,
  tracing?: Tracing,
): SessionOptions {
  return {
    client,
    namespace: env.SESSION_NAMESPACE,
    maxInactiveIntervalMs: env.SESSION_MAX_INACTIVE_SECONDS * 1000,
    resolver,
    cookie: { secure: env.COOKIE_SECURE },
    logger,
    // With tracing, session steps become spans too; without it the observer has no step hook.
    observer: tracing ? tracing.sessionObserver(metrics.sessionObserver) : metrics.sessionObserver,
    ...(env.SESSION_NEAR_CACHE ? { nearCache: true } : {}),
    ...durableWritesFrom(env),
  };
}

/** `durableWrites` from SESSION_DURABLE_WRITES_*, or nothing when it is off (0 replicas). */
export function durableWritesFrom(env: ServiceEnv): Pick<SessionOptions, 'durableWrites'> {
  if (env.SESSION_DURABLE_WRITES_REPLICAS === 0) return {};
  return {
    durableWrites: {
      replicas: env.SESSION_DURABLE_WRITES_REPLICAS,
      timeoutMs: env.SESSION_DURABLE_WRITES_TIMEOUT_MS,
    },
  };
}
