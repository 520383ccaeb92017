import type { Cluster, Redis } from 'ioredis';
import { SessionOptionsInvalidError } from './errors.js';
import type { SessionIdResolver } from './id-resolvers/id-resolver.js';
import { CookieIdResolver, type CookieResolverOptions } from './id-resolvers/cookie.js';
import { HeaderIdResolver } from './id-resolvers/header.js';
import { CompositeIdResolver } from './id-resolvers/composite.js';
import {
  type IndexedOptions,
  type ResolvedIndexedOptions,
  resolveIndexedOptions,
} from './indexed/indexed-options.js';
import {
  type DurableWritesOptions,
  type ResolvedDurableWrites,
  resolveDurableWrites,
} from './durable/durable-writes-options.js';
import {
  type NearCacheOptions,
  type ResolvedNearCacheOptions,
  resolveNearCacheOptions,
} from './near-cache/near-cache-options.js';
import { type AttributeSchema, AttributeSchemas } from './attribute-schema.js';
import type { SessionLogger } from './session-logger.js';

export type { SessionLogger } from './session-logger.js';

/** A store operation, as reported to a {@link SessionObserver}. */
export type StoreOperation =
  | 'load'
  | 'save'
  | 'update'
  | 'rename'
  | 'delete'
  /** Indexed mode: `findByPrincipal`, `revoke*`, and settling expired sessions. */
  | 'find'
  | 'revoke'
  | 'sweep'
  /** `durableWrites`: the `WAIT` after a write; `error` when too few replicas acknowledged. */
  | 'replicate';

/**
 * One step of a request's session, as a trace shows it: `load` (open), `update` (every attempt
 * of one `update()`), `commit`. Sizes are the UTF-16 lengths of the attribute JSON moved.
 */
export interface SessionStep {
  name: 'load' | 'update' | 'commit';
  /** ms since the epoch. */
  startedAt: number;
  durationMs: number;
  roundTrips: number;
  bytes: number;
  /** `update()`: attempts that lost their compare-and-set. */
  conflicts: number;
  /** `update()`: attempts after the first. */
  retries: number;
  outcome: 'ok' | 'error';
}

/** Receives one call per store round trip: feed it to metrics (Prometheus) or traces. */
export interface SessionObserver {
  onStoreCall(op: StoreOperation, durationMs: number, outcome: 'ok' | 'error' | 'conflict'): void;
  /**
   * One call per session step of a request (tracing). Without it nothing is measured or counted
   * for it: an observer that only counts round trips costs no more than before.
   */
  onSessionStep?(step: SessionStep): void;
}

export interface SessionOptions {
  /**
   * The ioredis connection: `Redis` (standalone or Sentinel) or `Cluster`. Create it with
   * `createValkeyClient()` or give it a `commandTimeout` yourself: without one a dead store
   * would hang requests instead of failing fast.
   */
  client: Redis | Cluster;
  /** Prefix of every key, so unrelated apps can share one Valkey. @default 'baton' */
  namespace?: string;
  /** Idle time after which a session expires (the key's TTL), in ms. @default 1_800_000 (30 min) */
  maxInactiveIntervalMs?: number;
  /**
   * How the session token travels: `'cookie'`, `'header'` (`X-Auth-Token`), `'composite'`
   * (header first, then cookie), or your own {@link SessionIdResolver}. @default 'cookie'
   */
  resolver?: 'cookie' | 'header' | 'composite' | SessionIdResolver;
  /** Cookie attributes for the cookie and composite resolvers. */
  cookie?: CookieResolverOptions;
  /** Header name for the header and composite resolvers. @default 'X-Auth-Token' */
  headerName?: string;
  /** Largest JSON of one attribute, in bytes. @default 65_536 */
  maxAttributeBytes?: number;
  /** Largest JSON of all attributes of one session together, in bytes. @default 262_144 */
  maxSessionBytes?: number;
  /** How often `update()` retries a lost compare-and-set before it gives up. @default 32 */
  updateMaxAttempts?: number;
  /** Where corrupt data and store errors are reported. @default console */
  logger?: SessionLogger;
  /** Gets a call per store round trip, with its duration and outcome. */
  observer?: SessionObserver;
  /**
   * Indexed mode (opt-in): the principal index, the per-principal session limit and the
   * `created`/`deleted`/`expired` events. `true` for the defaults. Off: nothing of it exists,
   * not a key, not a round trip. Needs a standalone or Sentinel connection. @default off
   */
  indexed?: IndexedOptions | boolean;
  /**
   * Durable writes (opt-in): after each session write, `WAIT` until replicas hold it, so a
   * Sentinel failover cannot lose a change the client saw succeed. `true` for one replica and
   * 100 ms. Costs a round trip plus the replica's acknowledgement per write; off: nothing is sent.
   * Needs a standalone or Sentinel connection. @default off
   */
  durableWrites?: DurableWritesOptions | boolean;
  /**
   * Near cache (opt-in): repeated reads of a session are served from this process's memory,
   * kept coherent through Valkey client-side caching (CLIENT TRACKING, two more connections).
   * `true` for the defaults. Another node's write is seen once its invalidation arrives, and the
   * expiry slides once per `touchIntervalMs` (docs/near-cache.md). Needs a standalone or
   * Sentinel connection and no indexed mode. @default off
   */
  nearCache?: NearCacheOptions | boolean;
  /**
   * Schema versions per attribute name, for fleets that run two versions of the code at once (a
   * rolling deploy): older values are upcast on read, newer ones are kept intact on write
   * ({@link AttributeSchema}, docs/session-schema-evolution.md). Attributes without one are
   * stored as they are. @default {}
   */
  attributes?: Readonly<Record<string, AttributeSchema>>;
}

export interface ResolvedSessionOptions {
  client: Redis | Cluster;
  namespace: string;
  maxInactiveIntervalMs: number;
  resolver: SessionIdResolver;
  maxAttributeBytes: number;
  maxSessionBytes: number;
  updateMaxAttempts: number;
  logger: SessionLogger;
  observer: SessionObserver | undefined;
  indexed: ResolvedIndexedOptions | undefined;
  durableWrites: ResolvedDurableWrites | undefined;
  nearCache: ResolvedNearCacheOptions | undefined;
  attributeSchemas: AttributeSchemas;
}

export const DEFAULT_SESSION_OPTIONS = {
  namespace: 'baton',
  maxInactiveIntervalMs: 30 * 60 * 1000,
  resolver: 'cookie',
  headerName: 'X-Auth-Token',
  maxAttributeBytes: 64 * 1024,
  maxSessionBytes: 256 * 1024,
  updateMaxAttempts: 32,
} as const;

/** Checks every option once, at start-up; throws {@link SessionOptionsInvalidError} naming the field. */
export function resolveOptions(input: SessionOptions): ResolvedSessionOptions {
  if (!input || typeof input !== 'object')
    throw new SessionOptionsInvalidError('options', 'must be an object');
  const client = input.client;
  if (!client || typeof (client as Redis).evalsha !== 'function') {
    throw new SessionOptionsInvalidError('client', 'must be an ioredis Redis or Cluster instance');
  }
  if (isStandalone(client) && !client.options.commandTimeout) {
    throw new SessionOptionsInvalidError(
      'client',
      'set ioredis commandTimeout (or use createValkeyClient()) so a dead store fails fast instead of hanging requests',
    );
  }
  const namespace = input.namespace ?? DEFAULT_SESSION_OPTIONS.namespace;
  if (typeof namespace !== 'string' || !/^[\w:.-]+$/.test(namespace)) {
    throw new SessionOptionsInvalidError(
      'namespace',
      'must be a non-empty string of letters, digits and : . - _',
    );
  }
  const headerName = input.headerName ?? DEFAULT_SESSION_OPTIONS.headerName;
  if (typeof headerName !== 'string' || !/^[A-Za-z0-9-]+$/.test(headerName)) {
    throw new SessionOptionsInvalidError('headerName', 'must be a valid HTTP header name');
  }
  return {
    client,
    namespace,
    maxInactiveIntervalMs: positiveInteger(input, 'maxInactiveIntervalMs'),
    resolver: toIdResolver(
      input.resolver ?? DEFAULT_SESSION_OPTIONS.resolver,
      input.cookie,
      headerName,
    ),
    maxAttributeBytes: positiveInteger(input, 'maxAttributeBytes'),
    maxSessionBytes: positiveInteger(input, 'maxSessionBytes'),
    updateMaxAttempts: positiveInteger(input, 'updateMaxAttempts'),
    logger: input.logger ?? console,
    observer: input.observer,
    indexed: resolveIndexedOptions(input.indexed, client),
    durableWrites: resolveDurableWrites(input.durableWrites, client),
    nearCache: resolveNearCacheOptions(input.nearCache, client, Boolean(input.indexed)),
    attributeSchemas: new AttributeSchemas(input.attributes, input.logger ?? console),
  };
}

/** @private */
function positiveInteger(
  input: SessionOptions,
  name: 'maxInactiveIntervalMs' | 'maxAttributeBytes' | 'maxSessionBytes' | 'updateMaxAttempts',
): number {
  const value = input[name] ?? DEFAULT_SESSION_OPTIONS[name];
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionOptionsInvalidError(name, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** @private */
function toIdResolver(
  resolver: NonNullable<SessionOptions['resolver']>,
  cookie: CookieResolverOptions | undefined,
  headerName: string,
): SessionIdResolver {
  switch (resolver) {
    case 'cookie':
      return new CookieIdResolver(cookie);
    case 'header':
      return new HeaderIdResolver(headerName);
    case 'composite':
      return new CompositeIdResolver([
        new HeaderIdResolver(headerName),
        new CookieIdResolver(cookie),
      ]);
    default:
      if (
        resolver &&
        typeof resolver.resolve === 'function' &&
        typeof resolver.set === 'function'
      ) {
        return resolver;
      }
      throw new SessionOptionsInvalidError(
        'resolver',
        "must be 'cookie', 'header', 'composite' or an object with resolve/set/expire",
      );
  }
}

/** @private */
function isStandalone(client: Redis | Cluster): client is Redis {
  return !(client as Cluster).isCluster;
}
