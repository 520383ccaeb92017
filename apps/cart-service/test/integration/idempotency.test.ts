import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { REPLAY_WINDOW_MS } from '../../src/cart/session-cart.js';
import {
  type Reply,
  Shopper,
  recordKeys,
  sessionKeys,
  storedCartJson,
  twoReplicasOnOneValkey,
} from './harness.js';

type Line = { sku: string; qty: number };
const skuQty = (body: { lines: Line[] }) => body.lines.map((l) => [l.sku, l.qty]);
const keyed = (key: string) => ({ headers: { 'Idempotency-Key': key } });
const replayed = (reply: Reply) => reply.headers.get('idempotent-replayed') === 'true';

describe('Idempotency-Key on cart writes (two replicas, one Valkey)', () => {
  const replicas = twoReplicasOnOneValkey();

  /** A shopper whose session exists (holding one pear), spread over both replicas. */
  async function shopperWithSession(): Promise<Shopper> {
    const shopper = new Shopper([replicas.cart1, replicas.cart2]);
    const first = await shopper.send('POST', '/api/cart/items', { json: { sku: 'pear' } });
    assert.equal(first.status, 201);
    return shopper;
  }

  test('the same key twice, on the other replica: applied once, the first answer again', async () => {
    const shopper = await shopperWithSession();
    const key = randomUUID();
    const add = { json: { sku: 'apple', qty: 2 }, ...keyed(key) };
    const first = await shopper.send('POST', '/api/cart/items', { ...add, via: replicas.cart1 });
    const retry = await shopper.send('POST', '/api/cart/items', { ...add, via: replicas.cart2 });

    assert.equal(first.status, 201);
    assert.equal(first.headers.get('location'), '/api/cart/items/apple');
    assert.equal(replayed(first), false);
    assert.equal(retry.status, 201, 'the first status, not the 200 of a grown line');
    assert.equal(retry.headers.get('location'), '/api/cart/items/apple');
    assert.equal(replayed(retry), true);
    assert.deepEqual(retry.body, first.body, 'same body, servedBy of the replica that made it');
    assert.equal(retry.body.servedBy, 'cart-1');
    assert.equal(retry.headers.get('x-served-by'), 'cart-2', 'the hop that answered is honest');

    const now = await shopper.send('GET', '/api/cart');
    assert.deepEqual(skuQty(now.body), [
      ['pear', 1],
      ['apple', 2],
    ]);

    // A new key is a new change.
    const other = await shopper.send('POST', '/api/cart/items', { ...add, ...keyed(randomUUID()) });
    assert.equal(other.status, 200);
    assert.deepEqual(skuQty(other.body), [
      ['pear', 1],
      ['apple', 4],
    ]);
  });

  test('the same key sent concurrently to both replicas: applied once, every answer the same', async () => {
    const shopper = await shopperWithSession();
    for (let round = 0; round < 5; round++) {
      const key = randomUUID();
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          shopper.send('POST', '/api/cart/items', {
            json: { sku: 'kiwi', qty: 1 },
            via: i % 2 === 0 ? replicas.cart1 : replicas.cart2,
            ...keyed(key),
          }),
        ),
      );
      assert.equal(replies.filter((r) => !replayed(r)).length, 1, 'exactly one made the change');
      for (const reply of replies) {
        assert.equal(reply.status, replies[0]?.status);
        assert.deepEqual(reply.body, replies[0]?.body);
      }
      const now = await shopper.send('GET', '/api/cart');
      assert.deepEqual(
        skuQty(now.body),
        [
          ['pear', 1],
          ['kiwi', round + 1],
        ],
        `round ${round}: 8 requests with one key added one kiwi`,
      );
    }
  });

  test('a key reused for another request is 422 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    const shopper = await shopperWithSession();
    const key = randomUUID();
    const first = await shopper.send('POST', '/api/cart/items', {
      json: { sku: 'apple', qty: 1 },
      ...keyed(key),
    });
    assert.equal(first.status, 201);
    const stored = await storedCartJson(replicas.cart1);

    for (const [method, path, json] of [
      ['POST', '/api/cart/items', { sku: 'apple', qty: 3 }],
      ['POST', '/api/cart/items', { sku: 'lemon', qty: 1 }],
      ['PATCH', '/api/cart/items/apple', { qty: 1 }],
      ['DELETE', '/api/cart/items/apple', undefined],
      ['DELETE', '/api/cart', undefined],
      ['POST', '/cart/apple', undefined],
    ] as const) {
      const reply = await shopper.send(method, path, { ...(json ? { json } : {}), ...keyed(key) });
      assert.equal(reply.status, 422, `${method} ${path}`);
      assert.equal(reply.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
      assert.match(reply.body.error.message, /Idempotency-Key/);
    }
    assert.equal(await storedCartJson(replicas.cart1), stored, 'the stored cart is untouched');
  });

  test('an invalid Idempotency-Key is 400 naming the header, and creates nothing', async () => {
    const shopper = new Shopper([replicas.cart1]);
    for (const key of ['', 'has space', 'a,b', 'x'.repeat(65), 'semi;colon', 'dot.ted']) {
      const reply = await shopper.send('POST', '/api/cart/items', {
        json: { sku: 'apple' },
        ...keyed(key),
      });
      assert.equal(reply.status, 400, JSON.stringify(key));
      assert.equal(reply.body.error.code, 'INVALID_IDEMPOTENCY_KEY');
      assert.match(reply.body.error.message, /^Idempotency-Key: /);
    }
    for (const [method, path] of [
      ['PATCH', '/api/cart/items/apple'],
      ['DELETE', '/api/cart/items/apple'],
      ['DELETE', '/api/cart'],
      ['POST', '/cart/apple'],
    ] as const) {
      const reply = await shopper.send(method, path, { json: { qty: 1 }, ...keyed('no good') });
      assert.equal(reply.status, 400, `${method} ${path}`);
      assert.equal(reply.body.error.code, 'INVALID_IDEMPOTENCY_KEY');
    }
    assert.deepEqual(await sessionKeys(replicas.cart1), []);
    const longest = await shopper.send('POST', '/api/cart/items', {
      json: { sku: 'apple' },
      ...keyed('A-z_9'.repeat(12) + 'abcd'),
    });
    assert.equal(longest.status, 201, '64 characters is allowed');
  });

  test('PATCH, DELETE of a line and DELETE of the cart replay their first answer', async () => {
    const shopper = await shopperWithSession();
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple', qty: 3 } });

    const patch = { json: { qty: 0 }, ...keyed(randomUUID()) };
    const removed = await shopper.send('PATCH', '/api/cart/items/apple', patch);
    assert.equal(removed.status, 200);
    const again = await shopper.send('PATCH', '/api/cart/items/apple', patch);
    assert.equal(again.status, 200, 'not 404 NOT_IN_CART: the line is gone because of this PATCH');
    assert.deepEqual(again.body, removed.body);

    // A DELETE retried after the shopper added the line back must not remove it again.
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'lemon', qty: 1 } });
    const del = keyed(randomUUID());
    const first = await shopper.send('DELETE', '/api/cart/items/lemon', del);
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'lemon', qty: 5 } });
    const late = await shopper.send('DELETE', '/api/cart/items/lemon', del);
    assert.equal(replayed(late), true);
    assert.deepEqual(late.body, first.body);
    // So must a DELETE whose first attempt found nothing to remove.
    const absent = keyed(randomUUID());
    await shopper.send('DELETE', '/api/cart/items/banana', absent);
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'banana', qty: 1 } });
    assert.equal(replayed(await shopper.send('DELETE', '/api/cart/items/banana', absent)), true);

    const clear = keyed(randomUUID());
    const cleared = await shopper.send('DELETE', '/api/cart', clear);
    assert.equal(cleared.body.count, 0);
    await shopper.send('POST', '/cart/apple', keyed(randomUUID()));
    const clearedAgain = await shopper.send('DELETE', '/api/cart', clear);
    assert.deepEqual(clearedAgain.body, cleared.body);

    const now = await shopper.send('GET', '/api/cart');
    assert.deepEqual(skuQty(now.body), [['apple', 1]], 'the later add survived both retries');
  });

  test("the article's POST /cart/:item replays too", async () => {
    const shopper = await shopperWithSession();
    const key = keyed(randomUUID());
    const first = await shopper.send('POST', '/cart/apple', { ...key, via: replicas.cart2 });
    const retry = await shopper.send('POST', '/cart/apple', { ...key, via: replicas.cart1 });
    assert.deepEqual(retry.body, first.body);
    assert.deepEqual(first.body.cart, ['pear', 'apple']);
    assert.equal(retry.body.servedBy, 'cart-2');
  });

  test('records live beside the cart, one small key per write with its own TTL', async () => {
    const shopper = await shopperWithSession();
    const keys = Array.from({ length: 25 }, () => randomUUID());
    for (const key of keys) {
      await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple' }, ...keyed(key) });
    }
    // The cart attribute holds the lines only: its size does not grow with the writes made.
    assert.equal(
      await storedCartJson(replicas.cart1),
      JSON.stringify({ lines: ['pear', 1, 'apple', keys.length] }),
    );
    const records = await recordKeys(replicas.cart1);
    assert.equal(records.length, keys.length);
    const valkey = replicas.cart1.valkey;
    for (const record of records) {
      const ttl = await valkey.pttl(record);
      assert.ok(ttl > 0 && ttl <= REPLAY_WINDOW_MS, `${record}: TTL ${ttl} ms`);
    }
    const firstKey = keys[0] as string;
    const oldest = await shopper.send('POST', '/api/cart/items', {
      json: { sku: 'apple' },
      ...keyed(firstKey),
    });
    assert.equal(replayed(oldest), true, 'every key of the window replays, not only the last 20');
    assert.equal(oldest.body.count, 2, 'the answer the first attempt got: 1 pear, 1 apple');

    // Once the record is gone (its TTL ran out: the window is over), the key is a new change.
    const [expired] = records.filter((record) => record.endsWith(firstKey));
    await valkey.del(expired as string);
    const late = await shopper.send('POST', '/api/cart/items', {
      json: { sku: 'apple' },
      ...keyed(firstKey),
    });
    assert.equal(replayed(late), false);
    assert.equal(late.body.count, keys.length + 2);
  });

  test('writes without a key behave as before: each one is applied', async () => {
    const shopper = await shopperWithSession();
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple' } });
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple' } });
    const now = await shopper.send('GET', '/api/cart');
    assert.deepEqual(skuQty(now.body), [
      ['pear', 1],
      ['apple', 2],
    ]);
  });

  test('a keyed first add retried without a token starts one fresh session, not a double add', async () => {
    // The first attempt created a session whose token never reached the client (its answer was
    // lost); the retry carries no token, so it gets a session of its own. The client ends up
    // with one session holding one apple; the orphan is unreachable and expires.
    const key = keyed(randomUUID());
    const lost = new Shopper([replicas.cart1]);
    await lost.send('POST', '/api/cart/items', { json: { sku: 'apple' }, ...key });
    const client = new Shopper([replicas.cart2]);
    const retry = await client.send('POST', '/api/cart/items', { json: { sku: 'apple' }, ...key });
    assert.equal(retry.status, 201);
    assert.equal(replayed(retry), false);
    assert.notEqual(client.token, lost.token);
    assert.deepEqual(skuQty(retry.body), [['apple', 1]]);
  });
});
