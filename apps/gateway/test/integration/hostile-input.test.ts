import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type RawAnswer,
  type RawRequest,
  cookieHeader,
  expectWellBehaved,
  hostileText,
  httpMethod,
  jsonishBody,
  oneLine,
  pathSegment,
  percentEncode,
  rawRequest,
  tokenValue,
} from '@baton/hostile-http';
import { SessionManager } from '@baton/session';
import { NAMESPACE, gatewayRig } from './gateway-rig.js';

/**
 * Property-based tests (fast-check) of every gateway route with hostile paths, methods, headers,
 * cookies and bodies, against the real gateway, a real valkey-server and a fake upstream that
 * echoes what reached it: a 4xx JSON error (or the 2xx the route gives: the upstream's echo, the
 * UI, a probe, a WebSocket switch), never a 5xx; the session cookie never travels upstream; a
 * stored session nobody named is unchanged byte for byte; and the process still answers.
 */

const RUNS = { numRuns: 100 } as const;

/** Where each route family leads, for a path below it. */
const PROXIED = ['/cart', '/api/cart', '/api/catalog', '/api/account'];

describe('hostile input (fast-check against the gateway and a real Valkey)', () => {
  const rig = gatewayRig();
  let bystanderKey = '';
  let bystander = '';

  const snapshot = async () =>
    JSON.stringify(Object.entries(await rig.gateway.valkey.hgetall(bystanderKey)).sort());

  const check = async (request: RawRequest, success: number[]): Promise<RawAnswer> => {
    const seen = { cart: rig.cart.requests.length, account: rig.account.requests.length };
    const answer = await expectWellBehaved(rig.gateway.port, request, success);
    const forwardedNow = [
      ...rig.cart.requests.slice(seen.cart),
      ...rig.account.requests.slice(seen.account),
    ];
    for (const forwarded of forwardedNow) {
      const cookie = String(forwarded.headers.cookie ?? '');
      assert.doesNotMatch(cookie, /(^|;\s*)SESSION\s*=/, 'the session cookie went upstream');
      const token = forwarded.headers['x-auth-token'];
      assert.ok(
        token === undefined || !/\p{Cc}/u.test(String(token)),
        'a control character went upstream',
      );
    }
    assert.equal(await snapshot(), bystander, 'a session nobody named changed');
    return answer;
  };

  before(async () => {
    // A stored session, as a service would have written it; no hostile request names its token.
    const manager = new SessionManager({
      client: rig.gateway.valkey,
      namespace: NAMESPACE,
      resolver: 'header',
    });
    const opened = await manager.open({ headers: {} });
    opened.session.set('cart', [{ sku: 'apple', qty: 2 }]);
    await opened.commit({ getHeader: () => undefined, setHeader: () => undefined });
    [bystanderKey = ''] = await rig.gateway.valkey.keys(`${NAMESPACE}:sessions:*`);
    bystander = await snapshot();
  });

  test('hostile paths under every route family, the UI and the probes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('', ...PROXIED, '/ws', '/healthz', '/metrics'),
        pathSegment(),
        fc.constantFrom('GET', 'POST', 'DELETE'),
        async (prefix, segment, method) => {
          const target = `${prefix}/${segment}`;
          // Forwarded requests get the upstream's echo; the UI serves its files.
          const proxied = PROXIED.some((p) => target === p || target.startsWith(`${p}/`));
          await check(
            { method, target, headers: [['Content-Type', 'application/json']], body: '{}' },
            proxied || method === 'GET' ? [200] : [],
          );
        },
      ),
      RUNS,
    );
  });

  test('hostile methods, cookies, tokens, origins and forwarding headers on every route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...PROXIED,
          '/api/cart/items/apple',
          '/',
          '/index.html',
          '/healthz',
          '/readyz',
          '/metrics',
          '/nope',
        ),
        httpMethod(),
        fc.record(
          {
            cookie: fc.oneof(cookieHeader('SESSION'), cookieHeader('__Host-SESSION')),
            token: tokenValue(),
            origin: fc.oneof(
              fc.constantFrom('null', 'http://evil.example', 'http://127.0.0.1'),
              hostileText(30),
            ),
            fetchSite: fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', ''),
            forwardedFor: hostileText(30),
            forwardedHost: hostileText(30),
            idempotencyKey: tokenValue(),
            body: jsonishBody(),
          },
          { requiredKeys: [] },
        ),
        async (path, method, h) => {
          const headers: [string, string][] = [];
          if (h.cookie !== undefined) headers.push(['Cookie', h.cookie]);
          if (h.token !== undefined) headers.push(['X-Auth-Token', h.token]);
          if (h.origin !== undefined) headers.push(['Origin', oneLine(h.origin)]);
          if (h.fetchSite !== undefined) headers.push(['Sec-Fetch-Site', h.fetchSite]);
          if (h.forwardedFor !== undefined)
            headers.push(['X-Forwarded-For', oneLine(h.forwardedFor)]);
          if (h.forwardedHost !== undefined)
            headers.push(['X-Forwarded-Host', oneLine(h.forwardedHost)]);
          if (h.idempotencyKey !== undefined) headers.push(['Idempotency-Key', h.idempotencyKey]);
          if (h.body !== undefined) headers.push(['Content-Type', 'application/json']);
          const proxied = PROXIED.some((p) => path === p || path.startsWith(`${p}/`));
          const gatewayOwn = ['/', '/index.html', '/healthz', '/readyz', '/metrics'].includes(path);
          const success =
            proxied ||
            method === 'OPTIONS' ||
            (gatewayOwn && (method === 'GET' || method === 'HEAD'))
              ? [200, 201, 204]
              : [];
          await check(
            { method, target: path, headers, ...(h.body !== undefined ? { body: h.body } : {}) },
            success,
          );
        },
      ),
      RUNS,
    );
  });

  test('hostile session cookies and X-Auth-Token on every forwarded route', async () => {
    // Cookie values are percent-decoded: `SESSION=%00` once crashed the gateway (a NUL in the
    // upstream's X-Auth-Token made Node throw). Every value here decodes to hostile text.
    const value = fc.oneof(hostileText().map(percentEncode), tokenValue());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PROXIED, '/api/cart/items/apple'),
        fc.constantFrom('GET', 'POST', 'DELETE'),
        fc.oneof(
          value.map((v) => ['Cookie', `SESSION=${v}`] as [string, string]),
          cookieHeader('SESSION').map((v) => ['Cookie', v] as [string, string]),
          tokenValue().map((v) => ['X-Auth-Token', v] as [string, string]),
        ),
        async (path, method, header) => {
          await check({ method, target: path, headers: [header] }, [200]);
        },
      ),
      RUNS,
    );
  });

  test('hostile WebSocket handshakes on /ws: a switch or a 4xx JSON refusal, never a 5xx', async () => {
    const key = fc.oneof(
      fc.constant('dGhlIHNhbXBsZSBub25jZQ=='),
      fc.constantFrom('', 'not base64', 'dGhl', '=='.repeat(20)),
      tokenValue(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            target: fc.constantFrom(
              '/ws',
              '/ws?x=1',
              '/ws/',
              '/WS',
              '/ws%00',
              '/wsx',
              '/api/cart',
              '/',
            ),
            upgrade: fc.constantFrom('websocket', 'WebSocket', 'h2c', '', 'websocket, h2c'),
            version: fc.constantFrom('13', '8', '', 'x', '13, 8'),
            key,
            origin: fc.constantFrom(undefined, 'http://evil.example', 'null'),
            cookie: fc.option(cookieHeader('SESSION'), { nil: undefined }),
            token: fc.option(tokenValue(), { nil: undefined }),
          },
          { requiredKeys: ['target', 'upgrade', 'version', 'key'] },
        ),
        async (h) => {
          const headers: [string, string][] = [
            ['Connection', 'Upgrade'],
            ['Upgrade', h.upgrade],
            ['Sec-WebSocket-Version', h.version],
            ['Sec-WebSocket-Key', h.key],
          ];
          if (h.origin !== undefined) headers.push(['Origin', h.origin]);
          if (h.cookie !== undefined) headers.push(['Cookie', h.cookie]);
          if (h.token !== undefined) headers.push(['X-Auth-Token', h.token]);
          // Without a usable Upgrade header it is a plain request: the upstream's echo, the UI.
          await check({ method: 'GET', target: h.target, headers }, [101, 200]);
        },
      ),
      RUNS,
    );
  });

  test('huge bodies and huge headers: 413 or 431 in JSON, or the upstream answer, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'POST /api/cart/items',
          'PATCH /api/cart/items/apple',
          'POST /api/account/login',
          'POST /nope',
        ),
        fc.constantFrom(70_000, 1_000_000),
        fc.constantFrom(0, 20_000),
        async (route, bodySize, cookieSize) => {
          const [method = '', target = ''] = route.split(' ');
          const headers: [string, string][] = [['Content-Type', 'application/json']];
          if (cookieSize > 0) headers.push(['Cookie', `SESSION=${'x'.repeat(cookieSize)}`]);
          const answer = await check(
            { method, target, headers, body: Buffer.alloc(bodySize, 'x') },
            [200],
          );
          if (cookieSize > 0) assert.equal(answer.status, 431);
        },
      ),
      { numRuns: 16 },
    );
  });

  test('the gateway still answers after all of it', async () => {
    const answer = await rawRequest(rig.gateway.port, { method: 'GET', target: '/healthz' });
    assert.equal(answer.status, 200);
  });
});
