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
export async function lostUpdates(
  env: BenchEnvironment,
  variant: SessionVariantName,
  concurrent: number,
): Promise<LostUpdateResult> {
  const client = env.client(variant);
  const cookie = await client.newSession(['seed']);
  const items = Array.from({ length: concurrent }, (_, i) => `item-${i + 1}`);
  const responses = await Promise.all(
    items.map((item) => client.raw('POST', `/cart/${item}`, cookie)),
  );
  const statuses: Record<string, number> = {};
  for (const res of responses) statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  const cart = new Set(cartOf(await client.read(cookie)));
  const acknowledged = items.filter((_, i) => (responses[i]?.status ?? 0) < 300);
  return {
    variant,
    concurrent,
    acknowledged: acknowledged.length,
    statuses,
    survived: items.filter((item) => cart.has(item)).length,
    lost: acknowledged.filter((item) => !cart.has(item)).length,
  };
}

/**
 * `concurrent` writes of different keys to one session: each request marks its own name
 * (`POST /cart/marks/mark-1` …, one top-level session key each), all sent at once through nginx,
 * then one read. A store that rewrites the whole session loses most of them; one that writes per
 * key loses none. Same shape of result as {@link lostUpdates}: `survived` counts the marks found.
 */
export async function lostKeyUpdates(
  env: BenchEnvironment,
  variant: SessionVariantName,
  concurrent: number,
): Promise<LostUpdateResult> {
  const client = env.client(variant);
  const cookie = await client.newSession(['seed']);
  const names = Array.from({ length: concurrent }, (_, i) => `mark-${i + 1}`);
  const responses = await Promise.all(
    names.map((name) => client.raw('POST', `/cart/marks/${name}`, cookie)),
  );
  const statuses: Record<string, number> = {};
  for (const res of responses) statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  const read = await client.raw('GET', '/cart/marks', cookie);
  const marks = new Set((JSON.parse(read.body) as { marks?: string[] }).marks ?? []);
  const acknowledged = names.filter((_, i) => (responses[i]?.status ?? 0) < 300);
  return {
    variant,
    concurrent,
    acknowledged: acknowledged.length,
    statuses,
    survived: names.filter((name) => marks.has(name)).length,
    lost: acknowledged.filter((name) => !marks.has(name)).length,
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
