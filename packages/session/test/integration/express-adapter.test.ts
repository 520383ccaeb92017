import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { ValkeyProcess } from '@baton/valkey-testing';
import { newSessionToken, sessionIdOf } from '../../src/core/index.js';
import {
  type HttpClient,
  cookiePair,
  demoApp,
  listen,
  sessionKeys,
  startValkey,
} from './harness.js';

const NS = 'myplatform:sessions';

describe('Express adapter over HTTP, against a real valkey-server', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  let http: HttpClient;

  before(async () => {
    ({ valkey, client } = await startValkey());
    http = await listen(
      demoApp({ client, namespace: NS, cookie: { secure: false }, maxAttributeBytes: 1024 }),
    );
  });
  after(async () => {
    await http?.close();
    client?.disconnect();
    await valkey?.dispose();
  });
  beforeEach(async () => {
    await client.flushall();
  });

  it('is lazy: a request that writes nothing creates no key and sets no cookie', async () => {
    const res = await http.request('/cart');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { cart: [] });
    assert.equal(res.headers.get('set-cookie'), null);
    assert.deepEqual(await sessionKeys(client), []);
  });

  it('creates the session on the first write and sets a hardened cookie once', async () => {
    const first = await http.request('/cart/apple', { method: 'POST' });
    assert.equal(first.status, 200);
    const setCookie = first.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^SESSION=[A-Za-z0-9_-]{43}; /);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(
      setCookie,
      /Max-Age|Expires/,
      'the lifetime is the TTL in Valkey, not the cookie',
    );
    const cookie = cookiePair(first) as string;
    const second = await http.request('/cart/pear', { method: 'POST', cookie });
    assert.equal(second.headers.get('set-cookie'), null, 'an existing session gets no new cookie');
    const body = (await second.json()) as { sessionId: string; cart: string[] };
    assert.deepEqual(body.cart, ['apple', 'pear']);
    const token = cookie.split('=')[1] as string;
    assert.notEqual(body.sessionId, token, 'the public handle is not the token');
    assert.equal(body.sessionId, sessionIdOf(token));
    assert.deepEqual(await sessionKeys(client), [`${NS}:sessions:{${sessionIdOf(token)}}`]);
  });

  it('keeps the token at rest hashed: no key or value in Valkey contains it', async () => {
    const res = await http.request('/cart/apple', { method: 'POST' });
    const token = (cookiePair(res) as string).split('=')[1] as string;
    for (const key of await client.keys('*')) {
      assert.ok(!key.includes(token));
      const values = Object.values(await client.hgetall(key));
      assert.ok(values.every((v) => !v.includes(token)));
    }
  });

  it('never adopts a forged, unknown, malformed or oversized token', async () => {
    const unknown = newSessionToken();
    const candidates = [unknown, 'short', 'x'.repeat(5000), 'not base64url!*'.padEnd(43, '!'), ''];
    for (const forged of candidates) {
      const res = await http.request('/cart/apple', {
        method: 'POST',
        cookie: `SESSION=${forged}`,
      });
      assert.equal(res.status, 200, `status for ${forged.slice(0, 20)}`);
      const cookie = cookiePair(res) as string;
      assert.ok(cookie, 'a fresh session gets a fresh cookie');
      assert.notEqual(cookie, `SESSION=${forged}`);
      assert.deepEqual(
        ((await res.json()) as { cart: string[] }).cart,
        ['apple'],
        'fresh, empty session',
      );
    }
    assert.equal(await client.exists(`${NS}:sessions:{${sessionIdOf(unknown)}}`), 0);
  });

  it('supports the header resolver: X-Auth-Token in, X-Auth-Token out when new', async () => {
    const api = await listen(demoApp({ client, namespace: NS, resolver: 'header' }));
    try {
      const first = await api.request('/cart/apple', { method: 'POST' });
      const token = first.headers.get('x-auth-token') as string;
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(first.headers.get('set-cookie'), null);
      const second = await api.request('/cart', { token });
      assert.deepEqual(await second.json(), { cart: ['apple'] });
      assert.equal(second.headers.get('x-auth-token'), null, 'not echoed when unchanged');
      const cookieOnly = await api.request('/cart', { cookie: `SESSION=${token}` });
      assert.deepEqual(
        await cookieOnly.json(),
        { cart: [] },
        'the header resolver ignores cookies',
      );
    } finally {
      await api.close();
    }
  });

  it('sets Secure on the cookie unless explicitly opted out', async () => {
    const secure = await listen(demoApp({ client, namespace: NS }));
    try {
      const res = await secure.request('/cart/apple', { method: 'POST' });
      assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
      // Secure by default, so the name carries the __Host- prefix (Path=/, no Domain).
      assert.match(
        res.headers.get('set-cookie') ?? '',
        /^__Host-SESSION=[\w-]{43}; Path=\/; HttpOnly/,
      );
    } finally {
      await secure.close();
    }
  });

  it('changeId() on login: new cookie, same data, the old token is dead at once', async () => {
    const first = await http.request('/cart/apple', { method: 'POST' });
    const before = cookiePair(first) as string;
    const login = await http.request('/login', {
      method: 'POST',
      cookie: before,
      json: { user: 'alice' },
    });
    const afterLogin = cookiePair(login) as string;
    assert.ok(afterLogin && afterLogin !== before);
    assert.deepEqual(await (await http.request('/cart', { cookie: afterLogin })).json(), {
      cart: ['apple'],
    });
    assert.deepEqual(await (await http.request('/cart', { cookie: before })).json(), { cart: [] });
    assert.equal((await sessionKeys(client)).length, 1, 'no copy left under the old id');
  });

  it('invalidate() deletes the key and expires the cookie', async () => {
    const cookie = cookiePair(await http.request('/cart/apple', { method: 'POST' })) as string;
    const res = await http.request('/logout', { method: 'POST', cookie });
    assert.equal(res.status, 204);
    assert.match(res.headers.get('set-cookie') ?? '', /^SESSION=; Max-Age=0/);
    assert.deepEqual(await sessionKeys(client), []);
    assert.deepEqual(await (await http.request('/cart', { cookie })).json(), { cart: [] });
  });

  it('answers 413 JSON for an oversized attribute and keeps the stored data', async () => {
    const cookie = cookiePair(await http.request('/cart/apple', { method: 'POST' })) as string;
    const res = await http.request('/attr/blob', {
      method: 'PUT',
      cookie,
      json: { value: 'x'.repeat(2000) },
    });
    assert.equal(res.status, 413);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'SESSION_ATTRIBUTE_TOO_LARGE');
    assert.match(body.error.message, /"blob"/);
    assert.deepEqual(await (await http.request('/cart', { cookie })).json(), { cart: ['apple'] });
  });

  it('answers 503 with Retry-After while Valkey is down, and recovers by itself', async () => {
    const cookie = cookiePair(await http.request('/cart/apple', { method: 'POST' })) as string;
    await valkey.stop();
    try {
      const started = Date.now();
      const res = await http.request('/cart', { cookie });
      const elapsed = Date.now() - started;
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'SESSION_STORE_UNAVAILABLE');
      console.log(`# store down: 503 after ${elapsed} ms`);
      const anonymous = await http.request('/cart');
      assert.equal(anonymous.status, 200, 'a request without a session needs no store');
    } finally {
      await valkey.restart();
    }
    const recovered = Date.now();
    let status = 0;
    while (Date.now() - recovered < 5_000) {
      status = (await http.request('/cart/pear', { method: 'POST' })).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(`# store back: first 200 after ${Date.now() - recovered} ms`);
    assert.equal(status, 200);
  });
});
