import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { gatewayRig } from './gateway-rig.js';
import { request } from './harness.js';

describe('cross-site request refusal', () => {
  const rig = gatewayRig();
  let host: string;

  before(() => {
    host = `127.0.0.1:${rig.gateway.port}`;
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
        const seen = rig.account.requests.length + rig.cart.requests.length;
        const res = await request(rig.gateway.url, method, path, {
          headers: { ...headers, cookie: 'SESSION=victim', 'content-type': 'application/json' },
          body: '{"username":"alice","password":"alice123"}',
        });
        assert.equal(res.status, 403);
        assert.match(String(res.headers['content-type']), /application\/json/);
        assert.equal((res.json() as { error: { code: string } }).error.code, 'CROSS_SITE_REQUEST');
        assert.equal(rig.account.requests.length + rig.cart.requests.length, seen);
      });
    }
  }

  it('lets a same-origin POST from the shop page through', async () => {
    const res = await request(rig.gateway.url, 'POST', '/api/cart/items', {
      headers: { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(res.status, 200);
    assert.equal(rig.cart.last.method, 'POST');
  });

  it('compares with X-Forwarded-Host, the host the edge saw', async () => {
    const ok = await request(rig.gateway.url, 'POST', '/api/cart/items', {
      headers: { origin: 'https://shop.example', 'x-forwarded-host': 'shop.example' },
    });
    assert.equal(ok.status, 200);
    const other = await request(rig.gateway.url, 'POST', '/api/cart/items', {
      headers: { origin: `http://${host}`, 'x-forwarded-host': 'shop.example' },
    });
    assert.equal(other.status, 403);
  });

  it('compares host and port when the request host carries a port', async () => {
    const res = await request(rig.gateway.url, 'POST', '/api/cart/items', {
      headers: { origin: 'http://127.0.0.1:1', host },
    });
    assert.equal(res.status, 403);
  });

  it('lets a curl-like POST without Origin or Sec-Fetch-Site through (the article demo)', async () => {
    const res = await request(rig.gateway.url, 'POST', '/cart/apple', {
      headers: { cookie: 'SESSION=from-jar' },
    });
    assert.equal(res.status, 200);
    assert.equal(rig.cart.last.url, '/cart/apple');
    assert.equal(rig.cart.last.headers['x-auth-token'], 'from-jar');
  });

  it('lets cross-site GETs through: only unsafe methods are checked', async () => {
    const res = await request(rig.gateway.url, 'GET', '/api/catalog', {
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(res.status, 200);
  });
});
