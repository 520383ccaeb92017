import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { freePort } from '@baton/valkey-testing';
import type { FakeUpstream } from './fake-upstream.js';
import { gatewayRig } from './gateway-rig.js';
import { type GatewayUnderTest, request, startGateway } from './harness.js';

describe('gateway → upstream forwarding', () => {
  const rig = gatewayRig({ gateways: [{}, { COOKIE_SECURE: 'true' }] });
  let cart: FakeUpstream;
  let account: FakeUpstream;
  let gateway: GatewayUnderTest;
  let secureGateway: GatewayUnderTest;

  before(() => {
    ({ cart, account } = rig);
    [gateway, secureGateway] = rig.gateways as [GatewayUnderTest, GatewayUnderTest];
  });

  describe('routing', () => {
    for (const path of [
      '/cart',
      '/cart/apple',
      '/api/cart',
      '/api/cart/items/pear',
      '/api/catalog',
    ]) {
      it(`forwards ${path} to the cart upstream, path and query intact`, async () => {
        const before = { cart: cart.requests.length, account: account.requests.length };
        const res = await request(gateway.url, 'GET', `${path}?probe=1`);
        assert.equal(res.status, 200);
        assert.equal(cart.requests.length, before.cart + 1);
        assert.equal(account.requests.length, before.account);
        assert.equal(cart.last.url, `${path}?probe=1`);
      });
    }

    for (const path of ['/api/account/login', '/api/account/me', '/api/account']) {
      it(`forwards ${path} to the account upstream`, async () => {
        const before = { cart: cart.requests.length, account: account.requests.length };
        const res = await request(gateway.url, 'GET', path);
        assert.equal(res.status, 200);
        assert.equal(account.requests.length, before.account + 1);
        assert.equal(cart.requests.length, before.cart);
        assert.equal(account.last.url, path);
      });
    }

    it('does not forward look-alike prefixes (/api/carts, /cartoon) and answers 404 JSON', async () => {
      const before = cart.requests.length;
      for (const path of ['/api/carts', '/cartoon', '/api/accounts']) {
        const res = await request(gateway.url, 'GET', path);
        assert.equal(res.status, 404, path);
        assert.match(String(res.headers['content-type']), /application\/json/);
        assert.deepEqual((res.json() as { error: { code: string } }).error.code, 'NOT_FOUND');
      }
      assert.equal(cart.requests.length, before);
    });

    it('streams a POST body through untouched', async () => {
      const body = JSON.stringify({ sku: 'apple', qty: 3 });
      const res = await request(gateway.url, 'POST', '/api/cart/items', {
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 200);
      assert.equal(cart.last.method, 'POST');
      assert.equal(cart.last.body, body);
      assert.equal(cart.last.headers['content-type'], 'application/json');
    });
  });

  describe('request headers upstream', () => {
    it('passes the SESSION cookie as X-Auth-Token and strips it from Cookie', async () => {
      await request(gateway.url, 'GET', '/api/cart', {
        headers: { cookie: 'theme=dark; SESSION=tok-from-cookie; lang=en' },
      });
      assert.equal(cart.last.headers['x-auth-token'], 'tok-from-cookie');
      assert.equal(cart.last.headers.cookie, 'theme=dark; lang=en');
    });

    it('drops the Cookie header when SESSION was the only cookie', async () => {
      await request(gateway.url, 'GET', '/api/cart', { headers: { cookie: 'SESSION=abc' } });
      assert.equal(cart.last.headers['x-auth-token'], 'abc');
      assert.equal(cart.last.headers.cookie, undefined);
    });

    it('sends no X-Auth-Token when the client has no session', async () => {
      await request(gateway.url, 'GET', '/api/cart', { headers: { cookie: 'theme=dark' } });
      assert.equal(cart.last.headers['x-auth-token'], undefined);
    });

    it('in header mode forwards the client X-Auth-Token, not the cookie', async () => {
      await request(gateway.url, 'GET', '/api/account/me', {
        headers: { 'x-auth-token': 'tok-from-header', cookie: 'SESSION=tok-from-cookie' },
      });
      assert.equal(account.last.headers['x-auth-token'], 'tok-from-header');
    });

    it('propagates X-Request-Id, or forwards the one it generated and answered with', async () => {
      const given = await request(gateway.url, 'GET', '/api/cart', {
        headers: { 'x-request-id': 'req-abc-123' },
      });
      assert.equal(cart.last.headers['x-request-id'], 'req-abc-123');
      assert.equal(given.headers['x-request-id'], 'req-abc-123');

      const generated = await request(gateway.url, 'GET', '/api/cart');
      const id = generated.headers['x-request-id'];
      assert.match(String(id), /^[\w-]{8,}$/);
      assert.equal(cart.last.headers['x-request-id'], id);
    });

    it('sets X-Forwarded-For/Host/Proto and the upstream Host', async () => {
      await request(gateway.url, 'GET', '/api/cart', { headers: { host: 'shop.example:8080' } });
      assert.equal(cart.last.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(cart.last.headers['x-forwarded-host'], 'shop.example:8080');
      assert.equal(cart.last.headers['x-forwarded-proto'], 'http');
      assert.equal(cart.last.headers.host, new URL(cart.url).host);
    });

    it('keeps what the edge set and appends its peer to X-Forwarded-For', async () => {
      await request(gateway.url, 'GET', '/api/cart', {
        headers: {
          'x-forwarded-for': '203.0.113.7',
          'x-forwarded-host': 'shop.example',
          'x-forwarded-proto': 'https',
        },
      });
      assert.equal(cart.last.headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
      assert.equal(cart.last.headers['x-forwarded-host'], 'shop.example');
      assert.equal(cart.last.headers['x-forwarded-proto'], 'https');
    });
  });

  describe('session token on the way back', () => {
    it('turns an upstream X-Auth-Token into an HttpOnly SESSION cookie, never a readable header', async () => {
      account.replyOnce({ headers: { 'x-auth-token': 'new-token-1' }, body: '{"user":{}}' });
      const res = await request(gateway.url, 'POST', '/api/account/login');
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-auth-token'], undefined);
      const cookies = res.headers['set-cookie'] ?? [];
      assert.equal(cookies.length, 1);
      const [cookie = ''] = cookies;
      assert.match(cookie, /^SESSION=new-token-1;/);
      assert.match(cookie, /; HttpOnly/i);
      assert.match(cookie, /; SameSite=Lax/i);
      assert.match(cookie, /; Path=\//);
      assert.doesNotMatch(cookie, /; Secure/i, 'COOKIE_SECURE=false leaves Secure off');
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    it('adds Secure and the __Host- prefix to the cookie when COOKIE_SECURE is true', async () => {
      account.replyOnce({ headers: { 'x-auth-token': 'new-token-2' } });
      const res = await request(secureGateway.url, 'POST', '/api/account/login');
      const [cookie = ''] = res.headers['set-cookie'] ?? [];
      // Secure, so the name carries the __Host- prefix (Path=/, no Domain).
      assert.match(cookie, /^__Host-SESSION=new-token-2;/);
      assert.match(cookie, /; Secure/i);
      assert.match(cookie, /; HttpOnly/i);
    });

    it('expires the cookie when the upstream ends the session (empty X-Auth-Token)', async () => {
      account.replyOnce({ status: 204, headers: { 'x-auth-token': '' }, body: '' });
      const res = await request(gateway.url, 'POST', '/api/account/logout', {
        headers: { cookie: 'SESSION=old-token' },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers['x-auth-token'], undefined);
      const [cookie = ''] = res.headers['set-cookie'] ?? [];
      assert.match(cookie, /^SESSION=;/);
      assert.match(cookie, /Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    });

    it('sets no cookie when the upstream did not touch the session', async () => {
      const res = await request(gateway.url, 'GET', '/api/cart', {
        headers: { cookie: 'SESSION=tok' },
      });
      assert.equal(res.headers['set-cookie'], undefined);
    });

    it('in header mode passes X-Auth-Token back and sets no cookie', async () => {
      cart.replyOnce({ headers: { 'x-auth-token': 'fresh-token' } });
      const res = await request(gateway.url, 'POST', '/cart/apple', {
        headers: { 'x-auth-token': 'placeholder' },
      });
      assert.equal(cart.last.headers['x-auth-token'], 'placeholder');
      assert.equal(res.headers['x-auth-token'], 'fresh-token');
      assert.equal(res.headers['set-cookie'], undefined);
    });

    it('in header mode passes an ended session back as an empty X-Auth-Token', async () => {
      account.replyOnce({ headers: { 'x-auth-token': '' } });
      const res = await request(gateway.url, 'POST', '/api/account/logout', {
        headers: { 'x-auth-token': 'some-token' },
      });
      assert.equal(res.headers['x-auth-token'], '');
      assert.equal(res.headers['set-cookie'], undefined);
    });
  });

  describe('connection handling', () => {
    it("does not pass the upstream's Keep-Alive hop header to the client", async () => {
      // Not `timeout=5`: that is what the gateway's own server says of its hop by default.
      cart.replyOnce({ headers: { 'keep-alive': 'timeout=7', connection: 'keep-alive' } });
      const res = await request(gateway.url, 'GET', '/api/cart', {
        headers: { connection: 'keep-alive' },
      });
      assert.notEqual(res.headers['keep-alive'], 'timeout=7');
    });

    it('asks clients to close proxied connections while draining (SIGTERM)', async () => {
      const draining = await startGateway({
        ...rig.gatewayEnv,
      });
      try {
        draining.readiness.drain();
        cart.replyOnce({ headers: { connection: 'keep-alive' } });
        const res = await request(draining.url, 'GET', '/api/cart', {
          headers: { connection: 'keep-alive' },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.connection, 'close');
      } finally {
        await draining.close();
      }
    });
  });

  describe('X-Served-By', () => {
    it('prepends the gateway to the service replica', async () => {
      const res = await request(gateway.url, 'GET', '/api/catalog');
      assert.equal(res.headers['x-served-by'], 'gateway-1, cart-1');
      const fromAccount = await request(secureGateway.url, 'GET', '/api/account/me');
      assert.equal(fromAccount.headers['x-served-by'], 'gateway-2, account-1');
    });

    it('names only the gateway on what it answers itself', async () => {
      const res = await request(gateway.url, 'GET', '/healthz');
      assert.equal(res.headers['x-served-by'], 'gateway-1');
    });
  });

  describe('X-Build-Version', () => {
    it("prepends the gateway's build to the service replica's", async () => {
      cart.replyOnce({ headers: { 'x-build-version': 'v2' } });
      const res = await request(gateway.url, 'GET', '/api/catalog');
      assert.equal(res.headers['x-build-version'], 'dev, v2');
    });

    it("names only the gateway's build when the service sends none, and on its own answers", async () => {
      assert.equal(
        (await request(gateway.url, 'GET', '/api/catalog')).headers['x-build-version'],
        'dev',
      );
      const health = await request(gateway.url, 'GET', '/healthz');
      assert.equal(health.headers['x-build-version'], 'dev');
      assert.deepEqual(JSON.parse(health.body), {
        status: 'ok',
        instance: 'gateway-1',
        version: 'dev',
      });
    });
  });

  describe('upstream failures', () => {
    it('passes a service JSON error (503 store down) through as it is', async () => {
      const body = JSON.stringify({
        error: { code: 'SESSION_STORE_UNAVAILABLE', message: 'Valkey did not answer' },
      });
      cart.replyOnce({ status: 503, headers: { 'retry-after': '1' }, body });
      const res = await request(gateway.url, 'GET', '/api/cart');
      assert.equal(res.status, 503);
      assert.equal(res.body, body);
      assert.equal(res.headers['retry-after'], '1');
      assert.equal(res.headers['x-served-by'], 'gateway-1, cart-1');
    });

    for (const status of [502, 503, 504]) {
      it(`turns nginx's HTML ${status} page into JSON UPSTREAM_UNAVAILABLE`, async () => {
        // Twice for 502/503: the gateway sends a cart write once more after such a page.
        for (let i = 0; i < (status === 504 ? 1 : 2); i++) {
          cart.replyOnce({
            status,
            headers: { 'content-type': 'text/html', 'x-served-by': '' },
            body: '<html><body><h1>Bad Gateway</h1><hr>nginx</body></html>',
          });
        }
        const res = await request(gateway.url, 'POST', '/api/cart/items');
        assert.equal(res.status, status);
        assert.match(String(res.headers['content-type']), /application\/json/);
        assert.doesNotMatch(res.body, /<html/i);
        const { error } = res.json() as { error: { code: string; message: string } };
        assert.equal(error.code, 'UPSTREAM_UNAVAILABLE');
        assert.match(error.message, /cart/);
      });
    }

    it('answers 502 JSON when nothing listens at the upstream address', async () => {
      const dead = await startGateway({
        ...rig.gatewayEnv,
        CART_URL: `http://127.0.0.1:${await freePort()}`,
      });
      try {
        const res = await request(dead.url, 'POST', '/cart/apple');
        assert.equal(res.status, 502);
        assert.match(String(res.headers['content-type']), /application\/json/);
        assert.equal(res.headers['retry-after'], '1');
        assert.equal(
          (res.json() as { error: { code: string } }).error.code,
          'UPSTREAM_UNAVAILABLE',
        );
        assert.equal(res.headers['x-served-by'], 'gateway-1');
      } finally {
        await dead.close();
      }
    });

    it('answers 504 JSON when the upstream does not answer within UPSTREAM_TIMEOUT_MS', async () => {
      const slow = await startGateway({
        ...rig.gatewayEnv,
        UPSTREAM_TIMEOUT_MS: '200',
      });
      try {
        cart.replyOnce({ delayMs: 3_000 });
        const started = Date.now();
        const res = await request(slow.url, 'GET', '/api/cart');
        assert.equal(res.status, 504);
        assert.ok(Date.now() - started < 2_000, 'the gateway gave up before the upstream answered');
        assert.equal(
          (res.json() as { error: { code: string } }).error.code,
          'UPSTREAM_UNAVAILABLE',
        );
      } finally {
        await slow.close();
      }
    });
  });
});
