import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValkeyProcess } from '@baton/valkey-testing';
import {
  type CartInstance,
  type SendOptions,
  Shopper,
  sessionKeys,
  startCart,
  storedCartJson,
} from './harness.js';

interface BadRequest {
  name: string;
  method: string;
  path: string;
  options?: SendOptions;
  status: number;
  code: string;
  /** A word the message must contain: the field or the limit it is about. */
  mentions?: RegExp;
  /** Bad only because of what the seeded cart already holds. */
  needsSeededCart?: boolean;
}

const BAD_REQUESTS: BadRequest[] = [
  {
    name: 'unknown sku',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'durian', qty: 1 } },
    status: 404,
    code: 'UNKNOWN_SKU',
    mentions: /durian/,
  },
  {
    name: 'qty 0',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'apple', qty: 0 } },
    status: 422,
    code: 'INVALID_QUANTITY',
    mentions: /qty/,
  },
  {
    name: 'qty 100',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'apple', qty: 100 } },
    status: 422,
    code: 'INVALID_QUANTITY',
    mentions: /qty/,
  },
  {
    name: 'qty 1.5',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'apple', qty: 1.5 } },
    status: 422,
    code: 'INVALID_QUANTITY',
    mentions: /qty/,
  },
  {
    name: 'qty as a string',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'apple', qty: '2' } },
    status: 422,
    code: 'INVALID_QUANTITY',
    mentions: /qty/,
  },
  {
    name: 'line past 99',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'apple', qty: 98 } },
    status: 422,
    code: 'QUANTITY_LIMIT_EXCEEDED',
    mentions: /99/,
    needsSeededCart: true,
  },
  {
    name: 'malformed sku',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'Apple!', qty: 1 } },
    status: 400,
    code: 'INVALID_SKU',
    mentions: /sku/,
  },
  {
    name: 'missing sku',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { qty: 1 } },
    status: 400,
    code: 'INVALID_SKU',
    mentions: /sku/,
  },
  {
    name: 'unknown field',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'apple', quantity: 5 } },
    status: 400,
    code: 'UNKNOWN_FIELD',
    mentions: /quantity/,
  },
  {
    name: 'array body',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: [] },
    status: 400,
    code: 'INVALID_BODY',
  },
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/api/cart/items',
    options: { raw: '{"sku": "apple",', contentType: 'application/json' },
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    name: 'form body',
    method: 'POST',
    path: '/api/cart/items',
    options: { raw: 'sku=apple&qty=1', contentType: 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'no body',
    method: 'POST',
    path: '/api/cart/items',
    options: {},
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'body over 16kb',
    method: 'POST',
    path: '/api/cart/items',
    options: { json: { sku: 'apple', qty: 1, pad: 'x'.repeat(20_000) } },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'PATCH negative qty',
    method: 'PATCH',
    path: '/api/cart/items/apple',
    options: { json: { qty: -1 } },
    status: 422,
    code: 'INVALID_QUANTITY',
    mentions: /qty/,
  },
  {
    name: 'PATCH over 99',
    method: 'PATCH',
    path: '/api/cart/items/apple',
    options: { json: { qty: 100 } },
    status: 422,
    code: 'INVALID_QUANTITY',
    mentions: /qty/,
  },
  {
    name: 'PATCH line not in cart',
    method: 'PATCH',
    path: '/api/cart/items/kiwi',
    options: { json: { qty: 2 } },
    status: 404,
    code: 'NOT_IN_CART',
    mentions: /kiwi/,
  },
  {
    name: 'PATCH unknown sku',
    method: 'PATCH',
    path: '/api/cart/items/durian',
    options: { json: { qty: 2 } },
    status: 404,
    code: 'UNKNOWN_SKU',
  },
  {
    name: 'PATCH malformed sku',
    method: 'PATCH',
    path: '/api/cart/items/APPLE',
    options: { json: { qty: 2 } },
    status: 400,
    code: 'INVALID_SKU',
  },
  {
    name: 'DELETE malformed sku',
    method: 'DELETE',
    path: '/api/cart/items/a_b',
    status: 400,
    code: 'INVALID_SKU',
  },
  {
    name: 'article: unknown item',
    method: 'POST',
    path: '/cart/durian',
    status: 404,
    code: 'UNKNOWN_ITEM',
    mentions: /apple/,
  },
  { name: 'unknown route', method: 'GET', path: '/api/carts', status: 404, code: 'NOT_FOUND' },
  { name: 'unsupported method', method: 'PUT', path: '/api/cart', status: 404, code: 'NOT_FOUND' },
];

describe('bad input gets a 4xx that says what is wrong, and changes nothing', () => {
  let valkey: ValkeyProcess;
  let cart: CartInstance;
  const shopper = (): Shopper => new Shopper([cart]);
  let customer: Shopper;
  let storedBefore: string | null;

  before(async () => {
    valkey = await ValkeyProcess.start();
    cart = await startCart(valkey.url, 'cart-1');
    customer = shopper();
    await customer.send('POST', '/api/cart/items', { json: { sku: 'apple', qty: 2 } });
    await customer.send('POST', '/api/cart/items', { json: { sku: 'pear', qty: 1 } });
    storedBefore = await storedCartJson(cart);
    assert.equal(storedBefore, '{"lines":["apple",2,"pear",1]}');
  });

  after(async () => {
    await cart?.close();
    await valkey?.dispose();
  });

  for (const bad of BAD_REQUESTS) {
    test(`${bad.name}: ${bad.status} ${bad.code}, cart unchanged`, async () => {
      const reply = await customer.send(bad.method, bad.path, bad.options);
      assert.equal(reply.status, bad.status);
      assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(reply.headers.get('x-served-by'), 'cart-1');
      assert.deepEqual(Object.keys(reply.body), ['error']);
      assert.equal(reply.body.error.code, bad.code);
      assert.equal(typeof reply.body.error.message, 'string');
      if (bad.mentions) assert.match(reply.body.error.message, bad.mentions);
      assert.equal(await storedCartJson(cart), storedBefore);
    });
  }

  test('the same requests without a token create no session', async () => {
    const stranger = shopper();
    for (const bad of BAD_REQUESTS.filter((b) => !b.needsSeededCart)) {
      const reply = await stranger.send(bad.method, bad.path, bad.options);
      assert.equal(reply.status, bad.status, bad.name);
      assert.equal(reply.headers.get('x-auth-token'), null, bad.name);
    }
    assert.equal((await sessionKeys(cart)).length, 1, "only the customer's session exists");
  });

  test('the cart still reads as before', async () => {
    const reply = await customer.send('GET', '/cart');
    assert.deepEqual(reply.body.cart, ['apple', 'apple', 'pear']);
  });
});
