import type { Cluster, Redis } from 'ioredis';
import { type SessionLogger, SessionOptionsInvalidError } from '../core/index.js';

export interface BatonStoreOptions {
  /**
   * Any ioredis client: standalone, Sentinel or Cluster, fail-fast (`createValkeyClient()`) or
   * with ioredis' own defaults. Who creates the client closes it; the store never does.
   */
  client: Redis | Cluster;
  /**
   * Every key lives under it: `<namespace>:sessions:{<sha256(sid)>}`. Keep it apart from the
   * native adapters' namespace: `all()`, `length()` and `clear()` cover everything under it.
   * @default 'baton:express-session'
   */
  namespace?: string;
  /**
   * The TTL of a session whose cookie has no `expires` (a browser-session cookie, no `maxAge`),
   * in ms. One day, like connect-redis' `ttl` default, so switching stores keeps the lifetime.
   * @default 86_400_000
   */
  defaultTtlMs?: number;
  /**
   * How long one store call may take before it fails with `SESSION_STORE_UNAVAILABLE`, in ms,
   * whatever the client's own settings (a client with an offline queue and no commandTimeout
   * would otherwise keep a request waiting for as long as Valkey is away). For `all`, `length`,
   * `clear` and `ids` it bounds each SCAN step, since the whole listing grows with the store.
   * @default 2_000
   */
  operationTimeoutMs?: number;
  /** Where corrupt stored data is reported (it is then treated as no session). @default console */
  logger?: SessionLogger;
}

export const DEFAULT_BATON_STORE_OPTIONS = {
  namespace: 'baton:express-session',
  defaultTtlMs: 86_400_000,
  operationTimeoutMs: 2_000,
} as const;

export type ResolvedBatonStoreOptions = Required<BatonStoreOptions>;

/** Checks the options once, when the store is built; throws `SESSION_OPTIONS_INVALID`. */
export function resolveBatonStoreOptions(input: BatonStoreOptions): ResolvedBatonStoreOptions {
  if (!input || typeof input !== 'object') {
    throw new SessionOptionsInvalidError('options', 'pass { client, namespace?, … }');
  }
  const client = input.client as unknown as { defineCommand?: unknown } | undefined;
  if (!client || typeof client.defineCommand !== 'function') {
    throw new SessionOptionsInvalidError('client', 'must be an ioredis Redis or Cluster client');
  }
  const namespace = input.namespace ?? DEFAULT_BATON_STORE_OPTIONS.namespace;
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new SessionOptionsInvalidError('namespace', 'must be a non-empty string');
  }
  return {
    client: input.client,
    namespace,
    defaultTtlMs: positiveMs(input.defaultTtlMs, 'defaultTtlMs'),
    operationTimeoutMs: positiveMs(input.operationTimeoutMs, 'operationTimeoutMs'),
    logger: input.logger ?? console,
  };
}

/** @private */
function positiveMs(value: number | undefined, option: 'defaultTtlMs' | 'operationTimeoutMs') {
  if (value === undefined) return DEFAULT_BATON_STORE_OPTIONS[option];
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionOptionsInvalidError(option, 'must be a positive whole number of ms');
  }
  return value;
}
