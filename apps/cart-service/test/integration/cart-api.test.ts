import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ATTRIBUTE_PREFIX } from '@baton/session';
import { ValkeyProcess } from '@baton/valkey-testing';
import { CART_ATTRIBUTE } from '../../src/cart/session-cart.js';
import { type CartInstance, Shopper, sessionKeys, startCart, storedCartJson } from './harness.js';

type Line = { sku: string; qty: number };
const skuQty = (body: { lines: Line[] }) => body.lines.map((l) => [l.sku, l.qty]);

describe('the shop API: /api/cart and /api/catalog', () => {
  let valkey: ValkeyProcess;
  let cart: CartInstance;

  before(async () => {
    valkey = await ValkeyProcess.start();
    cart = await startCart(valkey.url, 'cart-1');
  });

  after(async () => {
    await cart?.close();
    await valkey?.dispose();
  });

  beforeEach(async () => {
    await cart.valkey.flushall();
  });

  test('GET /api/catalog lists products with integer-cent prices and touches no session', async () => {
    const shopper = new Shopper([cart]);
    shopper.token = 'A'.repeat(43);
    const reply = await shopper.send('GET', '/api/catalog');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.servedBy, 'cart-1');
    assert.equal(reply.body.currency, 'EUR');
    const skus = reply.body.products.map((p: { sku: string }) => p.sku);
    assert.ok(skus.includes('apple') && skus.includes('pear'));
    assert.ok(reply.body.products.every((p: { price: number }) => Number.isInteger(p.price)));
    assert.deepEqual(await sessionKeys(cart), []);
  });

  test('POST /api/cart/items: 201 + Location for a new line, 200 when the line grows', async () => {
    const shopper = new Shopper([cart]);
    const created = await shopper.send('POST', '/api/cart/items', {
      json: { sku: 'apple', qty: 2 },
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/api/cart/items/apple');
    assert.ok(shopper.token, 'the first write creates the session and hands out its token');

    const grown = await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple', qty: 3 } });
    assert.equal(grown.status, 200);
    assert.equal(grown.headers.get('location'), null);
    assert.deepEqual(skuQty(grown.body), [['apple', 5]]);

    const defaulted = await shopper.send('POST', '/api/cart/items', { json: { sku: 'pear' } });
    assert.equal(defaulted.status, 201);
    assert.deepEqual(skuQty(defaulted.body), [
      ['apple', 5],
      ['pear', 1],
    ]);
  });

  test('GET /api/cart prices every line from the catalog', async () => {
    const shopper = new Shopper([cart]);
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'grapes', qty: 2 } });
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple', qty: 3 } });
    const reply = await shopper.send('GET', '/api/cart');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, {
      servedBy: 'cart-1',
      currency: 'EUR',
      lines: [
        { sku: 'grapes', name: 'Grapes (500 g)', qty: 2, price: 320, lineTotal: 640 },
        { sku: 'apple', name: 'Apple', qty: 3, price: 60, lineTotal: 180 },
      ],
      total: 820,
      count: 5,
    });
    // What other apps read from the session: skus and quantities only, in insertion order (and
    // no records of writes: those live under keys of their own).
    assert.equal(await storedCartJson(cart), '{"lines":["grapes",2,"apple",3]}');
  });

  test('PATCH sets a quantity, and 0 removes the line', async () => {
    const shopper = new Shopper([cart]);
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple', qty: 2 } });
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'pear', qty: 1 } });

    const set = await shopper.send('PATCH', '/api/cart/items/apple', { json: { qty: 7 } });
    assert.equal(set.status, 200);
    assert.deepEqual(skuQty(set.body), [
      ['apple', 7],
      ['pear', 1],
    ]);

    const removed = await shopper.send('PATCH', '/api/cart/items/apple', { json: { qty: 0 } });
    assert.equal(removed.status, 200);
    assert.deepEqual(skuQty(removed.body), [['pear', 1]]);
    assert.deepEqual(skuQty((await shopper.send('GET', '/api/cart')).body), [['pear', 1]]);
  });

  test('DELETE /api/cart/items/:sku removes the line, and is idempotent', async () => {
    const shopper = new Shopper([cart]);
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple', qty: 2 } });
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'pear', qty: 1 } });

    const first = await shopper.send('DELETE', '/api/cart/items/apple');
    assert.equal(first.status, 200);
    assert.deepEqual(skuQty(first.body), [['pear', 1]]);
    const again = await shopper.send('DELETE', '/api/cart/items/apple');
    assert.equal(again.status, 200);
    assert.deepEqual(skuQty(again.body), [['pear', 1]]);

    const unknown = await shopper.send('DELETE', '/api/cart/items/banana-phone');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'UNKNOWN_SKU');
  });

  test('DELETE /api/cart empties the cart', async () => {
    const shopper = new Shopper([cart]);
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple', qty: 2 } });
    const cleared = await shopper.send('DELETE', '/api/cart');
    assert.equal(cleared.status, 200);
    assert.deepEqual(
      { ...cleared.body, servedBy: undefined },
      {
        servedBy: undefined,
        currency: 'EUR',
        lines: [],
        total: 0,
        count: 0,
      },
    );
    assert.deepEqual((await shopper.send('GET', '/cart')).body.cart, []);
  });

  test('both route families act on one cart', async () => {
    const shopper = new Shopper([cart]);
    await shopper.send('POST', '/cart/apple');
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'pear', qty: 2 } });
    await shopper.send('POST', '/cart/apple');

    assert.deepEqual((await shopper.send('GET', '/cart')).body.cart, [
      'apple',
      'apple',
      'pear',
      'pear',
    ]);
    const api = await shopper.send('GET', '/api/cart');
    assert.deepEqual(skuQty(api.body), [
      ['apple', 2],
      ['pear', 2],
    ]);

    await shopper.send('PATCH', '/api/cart/items/apple', { json: { qty: 0 } });
    assert.deepEqual((await shopper.send('GET', '/cart')).body.cart, ['pear', 'pear']);
    await shopper.send('DELETE', '/api/cart');
    assert.deepEqual((await shopper.send('GET', '/cart')).body.cart, []);
    assert.equal((await sessionKeys(cart)).length, 1, 'all of it in one session');
  });

  test('requests without a token that change nothing create no key in Valkey', async () => {
    const shopper = new Shopper([cart]);
    for (const [method, path] of [
      ['GET', '/api/cart'],
      ['GET', '/cart'],
      ['DELETE', '/api/cart'],
      ['DELETE', '/api/cart/items/apple'],
    ] as const) {
      const reply = await shopper.send(method, path);
      assert.equal(reply.status, 200, `${method} ${path}`);
      assert.equal(reply.headers.get('x-auth-token'), null, `${method} ${path} hands out no token`);
    }
    assert.deepEqual(await sessionKeys(cart), []);
  });

  test('a cart attribute Baton did not write reads as empty and is replaced by the next change', async () => {
    const shopper = new Shopper([cart]);
    await shopper.send('POST', '/cart/apple');
    const [key] = await sessionKeys(cart);
    await cart.valkey.hset(key as string, ATTRIBUTE_PREFIX + CART_ATTRIBUTE, '{"not":"a cart"}');

    const read = await shopper.send('GET', '/api/cart');
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.lines, []);
    const added = await shopper.send('POST', '/cart/pear');
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.cart, ['pear']);
  });
});
