import type { Cluster, Redis } from 'ioredis';
import { SessionOptionsInvalidError } from '../errors.js';

/**
 * `nearCache` option: a per-process cache of session reads, kept coherent by Valkey's
 * client-side caching (CLIENT TRACKING). See docs/near-cache.md for what it gives up.
 */
export interface NearCacheOptions {
  /** Most sessions kept in memory; the least recently used goes first. @default 10_000 */
  maxEntries?: number;
  /**
   * Most bytes of session data (field names and values as stored) kept in memory.
   * @default 67_108_864 (64 MiB)
   */
  maxBytes?: number;
  /**
   * Longest a session is served from memory without a round trip, in ms. The next read after it
   * goes to Valkey and, if the TTL has run down by this much, slides the expiry (and writes
   * `lastAccess`). Capped per session at a quarter of its `maxInactiveIntervalMs`, so a session
   * in use never expires: its effective idle timeout lies between `maxInactiveIntervalMs` minus
   * this interval and `maxInactiveIntervalMs`. @default 5_000
   */
  touchIntervalMs?: number;
}

export interface ResolvedNearCacheOptions {
  maxEntries: number;
  maxBytes: number;
  touchIntervalMs: number;
}

export const DEFAULT_NEAR_CACHE_OPTIONS = {
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  touchIntervalMs: 5_000,
} as const;

/** Checks `options.nearCache` once, at start-up; undefined when the near cache is off. */
export function resolveNearCacheOptions(
  input: NearCacheOptions | boolean | undefined,
  client: Redis | Cluster,
  indexed: boolean,
): ResolvedNearCacheOptions | undefined {
  if (input === undefined || input === false) return undefined;
  const options: NearCacheOptions = input === true ? {} : input;
  if (typeof options !== 'object' || options === null) {
    throw new SessionOptionsInvalidError('nearCache', 'must be an object or true');
  }
  if ((client as Cluster).isCluster) {
    // Tracking is per connection and a Cluster client holds one per node, each needing its own
    // redirect connection on the same node; not built (see docs/near-cache.md).
    throw new SessionOptionsInvalidError(
      'nearCache',
      'needs a standalone or Sentinel connection, not a Cluster',
    );
  }
  if (indexed) {
    // Indexed mode's load also moves the session's expiry in the ledger and the principal index;
    // the near cache's conditional touch does not (yet).
    throw new SessionOptionsInvalidError('nearCache', 'cannot be combined with indexed mode');
  }
  return {
    maxEntries: positiveInteger(options, 'maxEntries'),
    maxBytes: positiveInteger(options, 'maxBytes'),
    touchIntervalMs: positiveInteger(options, 'touchIntervalMs'),
  };
}

/** @private */
function positiveInteger(options: NearCacheOptions, name: keyof NearCacheOptions): number {
  const value = options[name] ?? DEFAULT_NEAR_CACHE_OPTIONS[name];
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionOptionsInvalidError(
      `nearCache.${name}`,
      `must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}
