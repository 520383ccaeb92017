import type { BenchEnvironment } from '../environment.js';
import { cartOf } from '../load/http-client.js';
import type { SessionVariantName } from '../variants/variant.js';

export interface LostUpdateResult {
  readonly variant: SessionVariantName;
  readonly concurrent: number;
  /** Adds that answered 2xx. */
  readonly acknowledged: number;
  /** Status → count of the concurrent adds. */
  readonly statuses: Record<string, number>;
  /** Items in the cart afterwards (of the `concurrent` distinct ones). */
  readonly survived: number;
  /** Acknowledged adds whose item is not in the cart: silently lost. */
  readonly lost: number;
}

/**
 * `concurrent` adds of distinct items (`item-1` …) to one session, all sent at once over as many
 * connections through nginx (so both gateways and both cart replicas run them), then one read.
 * An acknowledged add whose item is missing is a lost update.
 */
export function lostUpdates(
  env: BenchEnvironment,
  variant: SessionVariantName,
  concurrent: number,
): Promise<LostUpdateResult> {
  return concurrentWrites(env, variant, concurrent, 'item', {
    path: (item) => `/cart/${item}`,
    readBack: async (cookie) => cartOf(await env.client(variant).read(cookie)),
  });
}

/**
 * The same with writes of different keys: each request marks its own name (`mark-1` …, one
 * top-level session key each). A store that rewrites the whole session loses most of them; one
 * that writes per key loses none. `survived` counts the marks found.
 */
export function lostKeyUpdates(
  env: BenchEnvironment,
  variant: SessionVariantName,
  concurrent: number,
): Promise<LostUpdateResult> {
  return concurrentWrites(env, variant, concurrent, 'mark', {
    path: (name) => `/cart/marks/${name}`,
    readBack: async (cookie) => {
      const res = await env.client(variant).raw('GET', '/cart/marks', cookie);
      return (JSON.parse(res.body) as { marks?: string[] }).marks ?? [];
    },
  });
}

/** @private One fresh session, `concurrent` POSTs of `<prefix>-1` … at once, then one read. */
async function concurrentWrites(
  env: BenchEnvironment,
  variant: SessionVariantName,
  concurrent: number,
  prefix: string,
  route: { path(name: string): string; readBack(cookie: string): Promise<readonly string[]> },
): Promise<LostUpdateResult> {
  const client = env.client(variant);
  const cookie = await client.newSession(['seed']);
  const names = Array.from({ length: concurrent }, (_, i) => `${prefix}-${i + 1}`);
  const responses = await Promise.all(
    names.map((name) => client.raw('POST', route.path(name), cookie)),
  );
  const statuses: Record<string, number> = {};
  for (const res of responses) statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  const found = new Set(await route.readBack(cookie));
  const acknowledged = names.filter((_, i) => (responses[i]?.status ?? 0) < 300);
  return {
    variant,
    concurrent,
    acknowledged: acknowledged.length,
    statuses,
    survived: names.filter((name) => found.has(name)).length,
    lost: acknowledged.filter((name) => !found.has(name)).length,
  };
}

export interface ReadYourWritesResult {
  readonly variant: SessionVariantName;
  readonly pairs: number;
  /** Reads right after an acknowledged add that did not show it. */
  readonly misses: number;
  /** Pairs whose read ran on another cart replica than its add (the cross-node case). */
  readonly crossReplica: number;
}

/**
 * `pairs` times, sequentially: add an item, and as soon as the add answered, read the cart. nginx
 * round-robins every hop, so about half the reads run on the other cart replica. A read that does
 * not show the item just acknowledged is a read-your-writes miss.
 */
export async function readYourWrites(
  env: BenchEnvironment,
  variant: SessionVariantName,
  pairs: number,
): Promise<ReadYourWritesResult> {
  const client = env.client(variant);
  const cookie = await client.newSession(['seed']);
  let misses = 0;
  let crossReplica = 0;
  for (let i = 1; i <= pairs; i++) {
    const item = `ryw-${i}`;
    const added = await client.add(cookie, item);
    const read = await client.read(cookie);
    if (!cartOf(read).includes(item)) misses++;
    if (servedBy(added) !== servedBy(read)) crossReplica++;
  }
  return { variant, pairs, misses, crossReplica };
}

/** @private The cart replica that answered (`servedBy` of the body). */
function servedBy(res: { body: string }): string {
  return String((JSON.parse(res.body) as { servedBy?: unknown }).servedBy);
}
