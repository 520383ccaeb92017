import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CartInstance, Shopper, twoReplicasOnOneValkey } from './harness.js';

describe('two replicas on one Valkey (cart-1, cart-2)', () => {
  const replicas = twoReplicasOnOneValkey();

  test('requests alternating between replicas keep one cart, and servedBy alternates', async () => {
    const shopper = new Shopper([replicas.cart1, replicas.cart2]);
    const items = ['apple', 'pear', 'banana', 'apple', 'kiwi', 'pear'];
    const servedBy: string[] = [];
    const sessionIds = new Set<string>();
    for (const [i, item] of items.entries()) {
      const reply = await shopper.send('POST', `/cart/${item}`);
      assert.equal(reply.status, 200);
      // Each replica sees every earlier write, whichever replica made it.
      assert.deepEqual(reply.body.cart, [...items.slice(0, i + 1)].sort(byFirstAdded(items)));
      servedBy.push(reply.body.servedBy);
      sessionIds.add(reply.body.sessionId);
    }
    assert.deepEqual(servedBy, ['cart-1', 'cart-2', 'cart-1', 'cart-2', 'cart-1', 'cart-2']);
    assert.equal(sessionIds.size, 1, 'one session across both replicas');

    const fromCart1 = await shopper.send('GET', '/cart', { via: replicas.cart1 });
    const fromCart2 = await shopper.send('GET', '/cart', { via: replicas.cart2 });
    assert.deepEqual(fromCart1.body, {
      servedBy: 'cart-1',
      cart: ['apple', 'apple', 'pear', 'pear', 'banana', 'kiwi'],
    });
    assert.deepEqual(fromCart2.body, { ...fromCart1.body, servedBy: 'cart-2' });
    assert.equal(fromCart2.headers.get('x-served-by'), 'cart-2');

    // The shop API family reads the same lines as the article routes wrote.
    const api = await shopper.send('GET', '/api/cart', { via: replicas.cart2 });
    assert.deepEqual(
      api.body.lines.map((l: { sku: string; qty: number }) => [l.sku, l.qty]),
      [
        ['apple', 2],
        ['pear', 2],
        ['banana', 1],
        ['kiwi', 1],
      ],
    );
  });

  test('50 concurrent adds on one session, split across both replicas, lose no update', async () => {
    const shopper = new Shopper([replicas.cart1, replicas.cart2]);
    // Create the session first, so that all 50 act on the same one.
    const first = await shopper.send('POST', '/api/cart/items', { json: { sku: 'lemon', qty: 1 } });
    assert.equal(first.status, 201);
    assert.ok(shopper.token);

    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        shopper.send('POST', '/api/cart/items', {
          json: { sku: 'apple', qty: 1 },
          via: i % 2 === 0 ? replicas.cart1 : replicas.cart2,
        }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort((a, b) => a - b);
    assert.deepEqual(
      statuses,
      [...Array<number>(49).fill(200), 201],
      'exactly one request created the line',
    );
    const seen = replies.map(
      (r) => r.body.lines.find((l: { sku: string }) => l.sku === 'apple').qty,
    );
    // Every add saw a distinct cart: 1..50 each exactly once, so none was overwritten.
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.ok(replies.some((r) => r.body.servedBy === 'cart-1'));
    assert.ok(replies.some((r) => r.body.servedBy === 'cart-2'));

    const final = await shopper.send('GET', '/api/cart');
    assert.deepEqual(
      final.body.lines.map((l: { sku: string; qty: number }) => [l.sku, l.qty]),
      [
        ['lemon', 1],
        ['apple', 50],
      ],
    );
    assert.equal(final.body.count, 51);

    // The adds really raced: compare-and-set rejected some writes, and their retries counted.
    const conflicts = (await conflictCount(replicas.cart1)) + (await conflictCount(replicas.cart2));
    assert.ok(conflicts > 0, 'the burst produced compare-and-set conflicts');
  });
});

/** @private Lost compare-and-set races of one replica, from its /metrics. */
async function conflictCount(replica: CartInstance): Promise<number> {
  const text = await (await fetch(`${replica.base}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) => l.startsWith('baton_session_store_calls_total{') && l.includes('outcome="conflict"'),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

/** @private Orders items the way the cart keeps them: grouped by line, lines in first-added order. */
function byFirstAdded(items: string[]) {
  return (a: string, b: string) => items.indexOf(a) - items.indexOf(b);
}
