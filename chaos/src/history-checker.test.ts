import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHistories } from './history-checker.js';
import type { FinalState, HistoryEntry } from './history.js';

const add = (start: number, sku: string, outcome: 'ok' | 'failed' = 'ok'): HistoryEntry => ({
  client: 'c1',
  op: { kind: 'add', sku, keyed: true },
  start,
  end: start + 5,
  outcome,
  status: outcome === 'ok' ? 200 : 503,
});
const read = (start: number, cart: Record<string, number>): HistoryEntry => ({
  client: 'c1',
  op: { kind: 'read' },
  start,
  end: start + 5,
  outcome: 'ok',
  status: 200,
  cart,
});
const final = (cart: Record<string, number>, signedIn = true): FinalState[] => [
  { client: 'c1', cart, signedIn },
];
const rules = (entries: HistoryEntry[], finals: FinalState[]) =>
  checkHistories(entries, finals).violations.map((v) => v.rule);

describe('checkHistories', () => {
  it('a consistent history has no violation, and a failed add may or may not be applied', () => {
    const history = [
      add(0, 'apple'),
      read(10, { apple: 1 }),
      add(20, 'pear', 'failed'),
      read(30, { apple: 1, pear: 1 }),
    ];
    assert.deepEqual(rules(history, final({ apple: 1, pear: 1 })), []);
    assert.deepEqual(rules(history, final({ apple: 1 })), []);
    const { counts } = checkHistories(history, final({ apple: 1 }));
    assert.deepEqual(counts, {
      operations: 4,
      acknowledgedAdds: 1,
      failedAdds: 1,
      reads: 2,
      failedReads: 0,
    });
  });

  it('finds an acknowledged add missing at the end', () => {
    assert.deepEqual(rules([add(0, 'apple'), add(10, 'apple')], final({ apple: 1 })), [
      'acknowledged-add-lost',
    ]);
  });

  it('finds an add applied twice', () => {
    assert.deepEqual(
      rules([add(0, 'apple'), add(10, 'pear', 'failed')], final({ apple: 2, pear: 1 })),
      ['add-applied-twice'],
    );
  });

  it('finds a read that misses an earlier acknowledged add of the client', () => {
    assert.deepEqual(rules([add(0, 'apple'), read(10, {})], final({ apple: 1 })), [
      'read-your-writes',
    ]);
  });

  it('a read sent before the add was acknowledged may miss it', () => {
    assert.deepEqual(rules([add(0, 'apple'), read(2, {})], final({ apple: 1 })), []);
  });

  it('finds a read that goes back in time', () => {
    const history = [add(0, 'apple', 'failed'), read(10, { apple: 1 }), read(20, {})];
    assert.deepEqual(rules(history, final({ apple: 1 })), ['monotonic-reads']);
  });

  it('finds a login lost during the soak or at its end', () => {
    const me: HistoryEntry = {
      client: 'c1',
      op: { kind: 'me' },
      start: 5,
      end: 6,
      outcome: 'signed-out',
      status: 401,
    };
    assert.deepEqual(rules([add(0, 'apple'), me], final({ apple: 1 })), ['login-lost']);
    assert.deepEqual(rules([add(0, 'apple')], final({ apple: 1 }, false)), ['login-lost']);
  });
});
