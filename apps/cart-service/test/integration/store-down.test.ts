import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type CartInstance, Shopper, eventually, startCart } from './harness.js';

describe('Valkey goes away and comes back', () => {
  let valkey: ValkeyProcess;
  let cart: CartInstance;
  let shopper: Shopper;

  before(async () => {
    // AOF on, as in the stack: the session must outlive the store's restart.
    valkey = await ValkeyProcess.start({ appendOnly: true });
    cart = await startCart(valkey.url, 'cart-1');
    shopper = new Shopper([cart]);
    const added = await shopper.send('POST', '/cart/apple');
    assert.equal(added.status, 200);
    await valkey.stop();
  });

  after(async () => {
    await cart?.close();
    await valkey?.dispose();
  });

  test('session routes answer 503 JSON with Retry-After, fast', async () => {
    for (const [method, path, json] of [
      ['GET', '/cart', undefined],
      ['POST', '/cart/pear', undefined],
      ['GET', '/api/cart', undefined],
      ['POST', '/api/cart/items', { sku: 'pear', qty: 1 }],
    ] as const) {
      const started = Date.now();
      const reply = await shopper.send(method, path, json ? { json } : {});
      assert.equal(reply.status, 503, `${method} ${path}`);
      assert.equal(reply.headers.get('retry-after'), '1');
      assert.equal(reply.headers.get('x-served-by'), 'cart-1');
      assert.equal(reply.body.error.code, 'SESSION_STORE_UNAVAILABLE');
      assert.ok(Date.now() - started < 2_000, 'fails fast instead of hanging');
    }
    assert.ok(shopper.token, 'the client keeps its token through the outage');
  });

  test('a new shopper adding to a cart gets 503 too, not a cart that was never saved', async () => {
    const stranger = new Shopper([cart]);
    const reply = await stranger.send('POST', '/cart/pear');
    assert.equal(reply.status, 503);
    assert.equal(reply.headers.get('x-auth-token'), null);
  });

  test('/healthz stays 200, /readyz turns 503, the catalog and /metrics keep answering', async () => {
    const healthz = await fetch(`${cart.base}/healthz`);
    assert.equal(healthz.status, 200);
    const readyz = await fetch(`${cart.base}/readyz`);
    assert.equal(readyz.status, 503);
    assert.equal(((await readyz.json()) as { reason: string }).reason, 'valkey unreachable');
    const catalog = await fetch(`${cart.base}/api/catalog`);
    assert.equal(catalog.status, 200);
    const metrics = await fetch(`${cart.base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(
      await metrics.text(),
      /baton_session_store_calls_total\{op="load",outcome="error"/,
    );
  });

  test('once Valkey is back, requests succeed again and the cart survived', async () => {
    await valkey.restart();
    await eventually(async () => (await fetch(`${cart.base}/readyz`)).status === 200);
    const view = await shopper.send('GET', '/cart');
    assert.equal(view.status, 200);
    assert.deepEqual(view.body.cart, ['apple']);
    const added = await shopper.send('POST', '/cart/pear');
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.cart, ['apple', 'pear']);
  });
});
