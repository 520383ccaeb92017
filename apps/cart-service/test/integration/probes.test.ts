import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type CartInstance, Shopper, startCart } from './harness.js';

describe('health, readiness and metrics', () => {
  let valkey: ValkeyProcess;
  let cart: CartInstance;

  before(async () => {
    valkey = await ValkeyProcess.start();
    cart = await startCart(valkey.url, 'cart-2', { BUILD_VERSION: 'v2.1+build-7' });
  });

  after(async () => {
    await cart?.close();
    await valkey?.dispose();
  });

  test('/healthz and /readyz are 200 with Valkey up, and carry X-Served-By', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(cart.base + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('x-served-by'), 'cart-2');
    }
  });

  test('/healthz names the replica and its build, and every response carries X-Build-Version', async () => {
    const res = await fetch(`${cart.base}/healthz`);
    assert.deepEqual(await res.json(), {
      status: 'ok',
      instance: 'cart-2',
      version: 'v2.1+build-7',
    });
    for (const path of ['/readyz', '/api/catalog', '/no-such-route']) {
      const reply = await fetch(cart.base + path);
      await reply.arrayBuffer();
      assert.equal(reply.headers.get('x-build-version'), 'v2.1+build-7', path);
    }
  });

  test('/metrics exposes session store calls and HTTP requests by route pattern', async () => {
    const shopper = new Shopper([cart]);
    await shopper.send('POST', '/cart/apple');
    await shopper.send('POST', '/cart/pear');
    await shopper.send('GET', '/api/cart');

    const res = await fetch(`${cart.base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(res.headers.get('x-served-by'), 'cart-2');
    const text = await res.text();
    assert.match(
      text,
      /^baton_session_store_calls_total\{op="update",outcome="ok",instance="cart-2"\} 2$/m,
    );
    // The first add ran on a token-less request (no load); the second and the read loaded it.
    assert.match(
      text,
      /^baton_session_store_calls_total\{op="load",outcome="ok",instance="cart-2"\} 2$/m,
    );
    assert.match(
      text,
      /baton_http_requests_total\{method="POST",route="\/cart\/:item",status="200",instance="cart-2"\} 2/,
    );
    assert.doesNotMatch(text, /route="\/cart\/apple"/, 'raw URLs would make unbounded label sets');
  });

  test('X-Request-Id is taken from the request and echoed', async () => {
    const res = await fetch(`${cart.base}/api/catalog`, { headers: { 'x-request-id': 'req-42' } });
    assert.equal(res.headers.get('x-request-id'), 'req-42');
  });
});
