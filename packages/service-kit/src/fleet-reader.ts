import type { Cluster, Redis } from 'ioredis';
import type { Heartbeat } from './fleet-heartbeat.js';
import { serviceOfInstance } from './fleet-heartbeat.js';
import { FleetKeys } from './fleet-keys.js';

/** One replica as the fleet view shows it: its last heartbeat, or `gone` with when it was seen. */
export type FleetReplica =
  | Heartbeat
  | {
      instance: string;
      service: string;
      state: 'gone';
      seenAt: number;
    };

/**
 * Every replica that beat in the last minute, in name order (`cart-2` before `cart-10`): the
 * ones whose heartbeat key still lives as they described themselves, the others as `gone`. One
 * pipelined round trip after the index read.
 */
export async function readFleet(
  valkey: Redis | Cluster,
  namespace: string,
): Promise<FleetReplica[]> {
  const keys = new FleetKeys(namespace);
  const flat = await valkey.zrange(keys.index, '0', '-1', 'WITHSCORES');
  const seen: { instance: string; seenAt: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    seen.push({ instance: flat[i]!, seenAt: Number(flat[i + 1]) });
  }
  if (seen.length === 0) return [];
  const pipeline = valkey.pipeline();
  for (const { instance } of seen) pipeline.get(keys.replica(instance));
  const beats = (await pipeline.exec()) ?? [];
  const replicas = seen.map(({ instance, seenAt }, i): FleetReplica => {
    const [err, raw] = beats[i] ?? [null, null];
    if (err) throw err;
    const beat = typeof raw === 'string' ? parseHeartbeat(raw) : undefined;
    return beat ?? { instance, service: serviceOfInstance(instance), state: 'gone', seenAt };
  });
  return replicas.sort((a, b) => a.instance.localeCompare(b.instance, 'en', { numeric: true }));
}

/** @private Anything else under the key (another tool's write) reads as no heartbeat. */
function parseHeartbeat(raw: string): Heartbeat | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Heartbeat>;
    return typeof value.instance === 'string' &&
      typeof value.version === 'string' &&
      (value.state === 'ready' || value.state === 'draining')
      ? (value as Heartbeat)
      : undefined;
  } catch {
    return undefined;
  }
}
