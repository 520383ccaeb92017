import type { Redis } from 'ioredis';

/** `calls` per command from `INFO commandstats` (`cmdstat_get:calls=3,usec=…`), lower-case names. */
export function parseCommandStats(info: string): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match?.[1] && match[2]) stats[match[1].toLowerCase()] = Number(match[2]);
  }
  return stats;
}

/** One numeric field of an INFO section (`used_memory:123`). */
export function infoField(info: string, field: string): number {
  const match = new RegExp(`^${field}:(\\S+)`, 'm').exec(info);
  if (!match?.[1]) throw new Error(`INFO has no ${field}`);
  return Number(match[1]);
}

/** How many keys match `pattern` (SCAN MATCH: other clients' keys, like indexed mode's, are left out). */
export async function countKeys(admin: Redis, pattern: string): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    cursor = next;
    count += batch.length;
  } while (cursor !== '0');
  return count;
}

/**
 * The numeric top-level fields of `MEMORY STATS` (`total.allocated`, `clients.normal`,
 * `db.dict.rehashing.count`, …), read in one command so they describe the same moment.
 */
export async function memoryStats(admin: Redis): Promise<Record<string, number>> {
  const reply = (await admin.call('MEMORY', 'STATS')) as unknown[];
  const stats: Record<string, number> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const value = reply[i + 1];
    if (typeof value === 'number') stats[String(reply[i])] = value;
  }
  return stats;
}
