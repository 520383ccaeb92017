import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type CartInstance, Shopper, sessionKeys, startCart } from './harness.js';

describe("the article's routes: POST /cart/:item, GET /cart", () => {
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

  test('apple, then pear, then GET prints both (the curl demo)', async () => {
    const shopper = new Shopper([cart]);
    const apple = await shopper.send('POST', '/cart/apple');
    assert.equal(apple.status, 200);
    const token = apple.headers.get('x-auth-token');
    assert.match(token ?? '', /^[A-Za-z0-9_-]{43}$/, 'a new session hands out its token');
    assert.deepEqual(Object.keys(apple.body), ['servedBy', 'sessionId', 'cart']);
    assert.deepEqual(apple.body.cart, ['apple']);

    const pear = await shopper.send('POST', '/cart/pear');
    assert.equal(pear.status, 200);
    assert.equal(pear.headers.get('x-auth-token'), null, 'a known token is not sent again');
    assert.deepEqual(pear.body, {
      servedBy: 'cart-1',
      sessionId: apple.body.sessionId,
      cart: ['apple', 'pear'],
    });

    const view = await shopper.send('GET', '/cart');
    assert.equal(view.status, 200);
    assert.deepEqual(view.body, { servedBy: 'cart-1', cart: ['apple', 'pear'] });
    assert.equal(view.headers.get('x-served-by'), 'cart-1');
  });

  test('sessionId is the public handle (SHA-256 of the token), never the token', async () => {
    const shopper = new Shopper([cart]);
    const reply = await shopper.send('POST', '/cart/apple');
    const token = shopper.token as string;
    assert.notEqual(reply.body.sessionId, token);
    assert.equal(reply.body.sessionId, createHash('sha256').update(token).digest('base64url'));
    assert.ok(!JSON.stringify(reply.body).includes(token), 'the token is in no response body');
  });

  test('the same item twice is in the cart twice', async () => {
    const shopper = new Shopper([cart]);
    await shopper.send('POST', '/cart/apple');
    await shopper.send('POST', '/cart/pear');
    const again = await shopper.send('POST', '/cart/apple');
    // One line per sku, so a repeated item joins its first occurrence.
    assert.deepEqual(again.body.cart, ['apple', 'apple', 'pear']);
  });

  test('GET /cart without a token answers an empty cart and creates nothing', async () => {
    const shopper = new Shopper([cart]);
    const reply = await shopper.send('GET', '/cart');
    assert.deepEqual(reply.body, { servedBy: 'cart-1', cart: [] });
    assert.equal(reply.headers.get('x-auth-token'), null);
    assert.deepEqual(await sessionKeys(cart), []);
  });

  test('an unknown or forged token is never adopted: the request gets a fresh session', async () => {
    const shopper = new Shopper([cart]);
    shopper.token = 'A'.repeat(43);
    const reply = await shopper.send('POST', '/cart/apple');
    assert.equal(reply.status, 200);
    assert.notEqual(shopper.token, 'A'.repeat(43));
    assert.deepEqual(reply.body.cart, ['apple']);
    assert.equal((await sessionKeys(cart)).length, 1);
  });

  test('an item outside the catalog is 404 UNKNOWN_ITEM listing the valid ones; a malformed one 400', async () => {
    const shopper = new Shopper([cart]);
    const unknown = await shopper.send('POST', '/cart/banana-phone');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'UNKNOWN_ITEM');
    assert.match(unknown.body.error.message, /apple, pear/);

    const malformed = await shopper.send('POST', '/cart/Apple%20Pie');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'INVALID_ITEM');
    assert.deepEqual(await sessionKeys(cart), [], 'a rejected add creates no session');
    assert.equal(shopper.token, undefined);
  });
});
