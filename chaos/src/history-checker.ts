import type { FinalState, HistoryEntry } from './history.js';

export type Rule =
  | 'acknowledged-add-lost'
  | 'add-applied-twice'
  | 'read-your-writes'
  | 'monotonic-reads'
  | 'login-lost';

export interface Violation {
  readonly rule: Rule;
  readonly client: string;
  readonly detail: string;
}

export interface CheckResult {
  readonly violations: Violation[];
  readonly counts: {
    readonly operations: number;
    readonly acknowledgedAdds: number;
    readonly failedAdds: number;
    readonly reads: number;
    readonly failedReads: number;
  };
}

/**
 * Checks every client's history (each client has its own session, and only adds to its cart):
 *
 * - acknowledged-add-lost: the final cart has fewer of a sku than the client's acknowledged adds.
 * - add-applied-twice: it has more than every add that may have been applied (acknowledged ones
 *   and failed ones, whose outcome the client could not know).
 * - read-your-writes: a read shows fewer of a sku than the adds acknowledged before it was sent.
 * - monotonic-reads: a read shows fewer of a sku than an earlier read of the same client.
 * - login-lost: `me` answered 401 during the soak, or the client is not signed in at the end.
 */
export function checkHistories(
  entries: readonly HistoryEntry[],
  finals: readonly FinalState[],
): CheckResult {
  const violations: Violation[] = [];
  const byClient = new Map<string, HistoryEntry[]>();
  for (const entry of entries)
    byClient.set(entry.client, [...(byClient.get(entry.client) ?? []), entry]);
  for (const [client, history] of byClient) {
    history.sort((a, b) => a.start - b.start);
    const acknowledged: Record<string, number> = {};
    const maybe: Record<string, number> = {};
    const acknowledgedBy: { end: number; sku: string }[] = [];
    let lastRead: Readonly<Record<string, number>> | null = null;
    for (const entry of history) {
      if (entry.op.kind === 'add') {
        const book = entry.outcome === 'ok' ? acknowledged : maybe;
        book[entry.op.sku] = (book[entry.op.sku] ?? 0) + 1;
        if (entry.outcome === 'ok') acknowledgedBy.push({ end: entry.end, sku: entry.op.sku });
      } else if (entry.op.kind === 'read' && entry.outcome === 'ok' && entry.cart) {
        const cart = entry.cart;
        const before: Record<string, number> = {};
        for (const add of acknowledgedBy)
          if (add.end <= entry.start) before[add.sku] = (before[add.sku] ?? 0) + 1;
        for (const [sku, count] of Object.entries(before)) {
          if ((cart[sku] ?? 0) < count) {
            violations.push({
              rule: 'read-your-writes',
              client,
              detail: `read at ${entry.start} ms shows ${cart[sku] ?? 0} ${sku}, ${count} acknowledged before it`,
            });
          }
        }
        if (lastRead) {
          for (const [sku, count] of Object.entries(lastRead)) {
            if ((cart[sku] ?? 0) < count) {
              violations.push({
                rule: 'monotonic-reads',
                client,
                detail: `read at ${entry.start} ms shows ${cart[sku] ?? 0} ${sku}, an earlier read ${count}`,
              });
            }
          }
        }
        lastRead = cart;
      } else if (entry.op.kind === 'me' && entry.outcome === 'signed-out') {
        violations.push({
          rule: 'login-lost',
          client,
          detail: `me answered 401 at ${entry.start} ms`,
        });
      }
    }
    const final = finals.find((f) => f.client === client);
    if (!final?.signedIn)
      violations.push({ rule: 'login-lost', client, detail: 'not signed in at the end' });
    if (!final?.cart) continue;
    for (const sku of new Set([
      ...Object.keys(acknowledged),
      ...Object.keys(maybe),
      ...Object.keys(final.cart),
    ])) {
      const have = final.cart[sku] ?? 0;
      const acked = acknowledged[sku] ?? 0;
      if (have < acked) {
        violations.push({
          rule: 'acknowledged-add-lost',
          client,
          detail: `final cart has ${have} ${sku}, ${acked} acknowledged`,
        });
      }
      if (have > acked + (maybe[sku] ?? 0)) {
        violations.push({
          rule: 'add-applied-twice',
          client,
          detail: `final cart has ${have} ${sku}, at most ${acked + (maybe[sku] ?? 0)} sent (${acked} acknowledged)`,
        });
      }
    }
  }
  const adds = entries.filter((e) => e.op.kind === 'add');
  const reads = entries.filter((e) => e.op.kind === 'read');
  return {
    violations,
    counts: {
      operations: entries.length,
      acknowledgedAdds: adds.filter((e) => e.outcome === 'ok').length,
      failedAdds: adds.filter((e) => e.outcome !== 'ok').length,
      reads: reads.filter((e) => e.outcome === 'ok').length,
      failedReads: reads.filter((e) => e.outcome !== 'ok').length,
    },
  };
}
