import type { Redis } from 'ioredis';
import type { BenchEnvironment } from '../environment.js';
import { inParallel } from '../sessions/variant-client.js';
import { type StoredSession, keyPattern, readStored } from '../sessions/session-formats.js';
import type { MemoryVariantName } from '../variants/variant.js';

/** The 10 items every session of the memory and scale measurements holds. */
export const TEN_ITEMS = [
  'apple',
  'pear',
  'banana',
  'orange',
  'lemon',
  'kiwi',
  'grapes',
  'cherries',
  'apple',
  'pear',
] as const;

export interface MemoryResult {
  readonly variant: MemoryVariantName;
  readonly sessions: number;
  /** Mean `MEMORY USAGE <key> SAMPLES 0` over every session key. */
  readonly memoryUsageBytes: number;
  /** Mean length of the key name. */
  readonly keyBytes: number;
  /** Mean bytes of what is stored (hash fields + values, or the string). */
  readonly payloadBytes: number;
  /** `OBJECT ENCODING` of the session keys (listpack, hashtable, embstr, raw). */
  readonly encoding: string;
  /** A Valkey setting changed for this measurement only (a what-if), e.g. `hash-max-listpack-value 1024`. */
  readonly setting?: string;
  /**
   * The idempotency records beside the sessions while the replay window lasts (cart-service
   * keeps one short-lived key per keyed add; absent when there are none): how many per session,
   * the mean MEMORY USAGE of one, and its TTL when read.
   */
  readonly records?: { perSession: number; memoryUsageBytes: number; pttlMs: number };
  /** One session as Valkey holds it: the template the scale preload copies. */
  readonly sample: { key: string; stored: StoredSession; pttlMs: number };
}

/**
 * Creates `sessions` sessions of 10 items each through the nginx edge (the apps write them in
 * their own format), then asks Valkey what each costs: MEMORY USAGE of every key (exact; the
 * growth of used_memory over a few hundred keys is noise, the scale measurement has it). With `setting`, that Valkey setting is changed for this measurement only and put
 * back afterwards.
 */
export async function measureMemory(
  env: BenchEnvironment,
  variant: MemoryVariantName,
  sessions: number,
  setting?: [name: string, value: string],
): Promise<MemoryResult> {
  if (!setting) return measure(env, variant, sessions);
  const [name, value] = setting;
  const [, previous] = (await env.admin.call('CONFIG', 'GET', name)) as [string, string];
  await env.admin.call('CONFIG', 'SET', name, value);
  try {
    return { ...(await measure(env, variant, sessions)), setting: `${name} ${value}` };
  } finally {
    await env.admin.call('CONFIG', 'SET', name, previous);
    await env.flush();
  }
}

/** @private */
async function measure(
  env: BenchEnvironment,
  variant: MemoryVariantName,
  sessions: number,
): Promise<MemoryResult> {
  await env.flush();
  const client = env.client(variant);
  await inParallel(sessions, 8, () => client.newSession(TEN_ITEMS));
  const keys = await scanAll(env.admin, keyPattern(variant));
  if (keys.length !== sessions) {
    throw new Error(`${variant}: ${sessions} sessions created but ${keys.length} keys in Valkey`);
  }
  let usage = 0;
  let keyBytes = 0;
  let payload = 0;
  for (const key of keys) {
    usage += Number(await env.admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    keyBytes += Buffer.byteLength(key);
    payload += payloadBytes(await readStored(env.admin, key));
  }
  const key = keys[0] as string;
  const recordKeys = await scanAll(env.admin, `${keyPattern(variant)}:r:*`);
  let recordUsage = 0;
  for (const record of recordKeys) {
    recordUsage += Number(await env.admin.call('MEMORY', 'USAGE', record, 'SAMPLES', '0'));
  }
  const records = recordKeys[0]
    ? {
        perSession: recordKeys.length / sessions,
        memoryUsageBytes: recordUsage / recordKeys.length,
        pttlMs: await env.admin.pttl(recordKeys[0]),
      }
    : undefined;
  return {
    ...(records ? { records } : {}),
    variant,
    sessions,
    memoryUsageBytes: usage / sessions,
    keyBytes: keyBytes / sessions,
    payloadBytes: payload / sessions,
    encoding: String(await env.admin.call('OBJECT', 'ENCODING', key)),
    sample: { key, stored: await readStored(env.admin, key), pttlMs: await env.admin.pttl(key) },
  };
}

/** @private */
async function scanAll(admin: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** @private */
function payloadBytes(stored: StoredSession): number {
  return stored.kind === 'string'
    ? Buffer.byteLength(stored.value)
    : stored.fields.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
}
