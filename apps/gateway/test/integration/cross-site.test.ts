import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ValkeyProcess } from '@baton/valkey-testing';
import { FakeUpstream } from './fake-upstream.js';
import { type GatewayUnderTest, request, startGateway } from './harness.js';

describe('cross-site request refusal', () => {
  let valkey: ValkeyProcess;
  let cart: FakeUpstream;
  let account: FakeUpstream;
  let gateway: GatewayUnderTest;
  let host: string;

  before(async () => {
    valkey = await ValkeyProcess.start();
    cart = await FakeUpstream.start('cart-1');
    account = await FakeUpstream.start('account-1');
    gateway = await startGateway({
      VALKEY_URL: valkey.url,
      CART_URL: cart.url,
      ACCOUNT_URL: account.url,
    });
    host = `127.0.0.1:${gateway.port}`;
  });

  after(async () => {
    await gateway?.close();
    await cart?.stop();
    await account?.stop();
    await valkey?.dispose();
  });

  const refused: { name: string; headers: Record<string, string> }[] = [
    { name: 'Origin of another site', headers: { origin: 'https://evil.example' } },
    { name: 'Sec-Fetch-Site: cross-site', headers: { 'sec-fetch-site': 'cross-site' } },
    { name: 'Sec-Fetch-Site: same-site', headers: { 'sec-fetch-site': 'same-site' } },
    { name: 'opaque Origin null', headers: { origin: 'null' } },
  ];
  for (const { name, headers } of refused) {
    for (const [method, path] of [
      ['POST', '/api/account/login'],
      ['DELETE', '/api/cart'],
      ['PATCH', '/api/cart/items/apple'],
    ] as const) {
      it(`refuses ${method} ${path} with ${name}: 403 JSON, never forwarded`, async () => {
        const seen = account.requests.length + cart.requests.length;
        const res = await request(gateway.url, method, path, {
          headers: { ...headers, cookie: 'SESSION=victim', 'content-type': 'application/json' },
          body: '{"username":"alice","password":"alice123"}',
        });
        assert.equal(res.status, 403);
        assert.match(String(res.headers['content-type']), /application\/json/);
        assert.equal((res.json() as { error: { code: string } }).error.code, 'CROSS_SITE_REQUEST');
        assert.equal(account.requests.length + cart.requests.length, seen);
      });
    }
  }

  it('lets a same-origin POST from the shop page through', async () => {
    const res = await request(gateway.url, 'POST', '/api/cart/items', {
      headers: { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(res.status, 200);
    assert.equal(cart.last.method, 'POST');
  });

  it('compares with X-Forwarded-Host, the host the edge saw', async () => {
    const ok = await request(gateway.url, 'POST', '/api/cart/items', {
      headers: { origin: 'https://shop.example', 'x-forwarded-host': 'shop.example' },
    });
    assert.equal(ok.status, 200);
    const other = await request(gateway.url, 'POST', '/api/cart/items', {
      headers: { origin: `http://${host}`, 'x-forwarded-host': 'shop.example' },
    });
    assert.equal(other.status, 403);
  });

  it('compares host and port when the request host carries a port', async () => {
    const res = await request(gateway.url, 'POST', '/api/cart/items', {
      headers: { origin: 'http://127.0.0.1:1', host },
    });
    assert.equal(res.status, 403);
  });

  it('lets a curl-like POST without Origin or Sec-Fetch-Site through (the article demo)', async () => {
    const res = await request(gateway.url, 'POST', '/cart/apple', {
      headers: { cookie: 'SESSION=from-jar' },
    });
    assert.equal(res.status, 200);
    assert.equal(cart.last.url, '/cart/apple');
    assert.equal(cart.last.headers['x-auth-token'], 'from-jar');
  });

  it('lets cross-site GETs through: only unsafe methods are checked', async () => {
    const res = await request(gateway.url, 'GET', '/api/catalog', {
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(res.status, 200);
  });
});
