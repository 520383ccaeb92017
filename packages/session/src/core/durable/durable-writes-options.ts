import type { Cluster, Redis } from 'ioredis';
import { SessionOptionsInvalidError } from '../errors.js';

/**
 * `durableWrites` option: after each session write, `WAIT` until `replicas` replicas hold it.
 * Valkey replicates asynchronously, so without it a write the primary acknowledged can vanish
 * when the primary dies before its replica copied it and Sentinel promotes that replica.
 */
export interface DurableWritesOptions {
  /** How many replicas must acknowledge each write (`WAIT`'s numreplicas). @default 1 */
  replicas?: number;
  /**
   * How long a write waits for them, in ms (`WAIT`'s timeout; never 0, which would block until
   * they answer). Must be below the client's `commandTimeout`. @default 100
   */
  timeoutMs?: number;
  /**
   * What a write that too few replicas acknowledged in time does:
   * - `'fail'`: the request fails with `SessionNotReplicatedError` (503 + Retry-After). The
   *   client learns its change is not safe yet; the primary did apply it, so a retry must be safe
   *   to repeat (the cart's add is not: see the Idempotency-Key).
   * - `'warn'`: log it and answer as if it were replicated: availability first, the change may be
   *   lost in a failover, exactly as without this option.
   * @default 'fail'
   */
  onTimeout?: 'fail' | 'warn';
}

export interface ResolvedDurableWrites {
  replicas: number;
  timeoutMs: number;
  onTimeout: 'fail' | 'warn';
}

export const DEFAULT_DURABLE_WRITES = { replicas: 1, timeoutMs: 100, onTimeout: 'fail' } as const;

/** Checks `options.durableWrites` once, at start-up; undefined when it is off. */
export function resolveDurableWrites(
  input: DurableWritesOptions | boolean | undefined,
  client: Redis | Cluster,
): ResolvedDurableWrites | undefined {
  if (input === undefined || input === false) return undefined;
  const options: DurableWritesOptions = input === true ? {} : input;
  if (typeof options !== 'object' || options === null) {
    throw new SessionOptionsInvalidError('durableWrites', 'must be an object or true');
  }
  if ((client as Cluster).isCluster) {
    // WAIT has no key: a Cluster client sends it to any node, not the one that took the write.
    throw new SessionOptionsInvalidError(
      'durableWrites',
      'needs a standalone or Sentinel connection, not a Cluster',
    );
  }
  const replicas = options.replicas ?? DEFAULT_DURABLE_WRITES.replicas;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DURABLE_WRITES.timeoutMs;
  const onTimeout = options.onTimeout ?? DEFAULT_DURABLE_WRITES.onTimeout;
  if (!Number.isSafeInteger(replicas) || replicas < 1) {
    throw new SessionOptionsInvalidError('durableWrites.replicas', 'must be an integer >= 1');
  }
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new SessionOptionsInvalidError('durableWrites.timeoutMs', 'must be an integer >= 1');
  }
  const commandTimeout = (client as Redis).options?.commandTimeout;
  if (commandTimeout !== undefined && commandTimeout <= timeoutMs) {
    throw new SessionOptionsInvalidError(
      'durableWrites.timeoutMs',
      `must be below the client's commandTimeout (${commandTimeout} ms), or WAIT would time out in the client instead of answering`,
    );
  }
  if (onTimeout !== 'fail' && onTimeout !== 'warn') {
    throw new SessionOptionsInvalidError('durableWrites.onTimeout', "must be 'fail' or 'warn'");
  }
  return { replicas, timeoutMs, onTimeout };
}
