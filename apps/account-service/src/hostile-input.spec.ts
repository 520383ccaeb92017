import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type RawAnswer,
  type RawRequest,
  assertOversizedBodiesRefused,
  contentType,
  cookieHeader,
  expectWellBehaved,
  hostileText,
  httpMethod,
  jsonishBody,
  misbehaviour,
  oneLine,
  pathSegment,
  rawRequest,
  tokenValue,
} from '@baton/hostile-http';
import { KeyLayout } from '@baton/session';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type RunningAccount, login, sessionKey, startAccount } from '../test/harness.js';
import { MAX_USER_AGENT_LENGTH } from './account/client-info.js';

/**
 * Property-based tests (fast-check) of every route with hostile paths, bodies, headers and
 * methods, against the real app and a real valkey-server: a 4xx with a JSON error (or the 2xx
 * the route legitimately gives), never a 5xx; a refused request hands out no token and creates
 * no session; alice's stored session and her principal index are unchanged; and the process
 * still answers afterwards. Runs are bounded to keep each property to a few seconds.
 */

const RUNS = { numRuns: 80 } as const;

/** Every route and what each method may legitimately answer on it for a client with no login. */
const ROUTES: Record<string, Partial<Record<string, number[]>>> = {
  '/healthz': { GET: [200], HEAD: [200] },
  '/readyz': { GET: [200], HEAD: [200] },
  '/metrics': { GET: [200], HEAD: [200] },
  '/api/account/login': {},
  '/api/account/logout': { POST: [204] },
  '/api/account/me': {},
  '/api/account/sessions': {},
  '/api/account/sessions/revoke-others': {},
  '/api/account/sessions/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA': {},
  '/no-such-route': {},
};

describe('hostile input (fast-check against the app and a real Valkey)', () => {
  let valkey: ValkeyProcess;
  let account: RunningAccount;
  let port: number;
  let layout: KeyLayout;
  /** alice, logged in; her token goes with hostile requests that must change nothing. */
  const victim = { token: '', snapshot: '' };

  const sessionCount = async () =>
    (await account.valkey.keys(`${layout.namespace}:sessions:*`)).length;

  /** alice's session hash without the access time, and the members of her principal index. */
  const snapshot = async (): Promise<string> => {
    const fields = await account.valkey.hgetall(sessionKey(layout.namespace, victim.token));
    delete fields['lastAccess'];
    const index = await account.valkey.zrange(layout.principalIndexKey('alice'), '0', '-1');
    return JSON.stringify({ fields: Object.entries(fields).sort(), index });
  };

  const check = async (request: RawRequest, success: number[] = []): Promise<RawAnswer> => {
    const before = await sessionCount();
    const answer = await expectWellBehaved(port, request, success);
    if (answer.status >= 400) {
      assert.ok(!answer.headers['x-auth-token'], 'a refused request handed out a token');
      assert.equal(await sessionCount(), before, 'a refused request created a session');
    }
    assert.equal(await snapshot(), victim.snapshot, "alice's session changed");
    return answer;
  };

  before(async () => {
    valkey = await ValkeyProcess.start();
    // Room for every hostile login to reach the password check instead of the throttle.
    account = await startAccount(valkey.url, { LOGIN_MAX_FAILURES_PER_IP: '100000' });
    port = Number(new URL(account.base).port);
    layout = new KeyLayout(account.config.SESSION_NAMESPACE);
    victim.token = (await login(account)).token as string;
    victim.snapshot = await snapshot();
  });

  after(async () => {
    if (account) {
      const probe = await rawRequest(port, { method: 'GET', target: '/healthz' });
      assert.equal(probe.status, 200, 'the process still answers after every property');
      const me = await account.request('/api/account/me', { token: victim.token });
      assert.equal(me.status, 200, 'alice is still logged in');
    }
    await account?.close();
    await valkey?.dispose();
  });

  test('hostile session ids and path segments', async () => {
    const routes = [
      { method: 'DELETE', path: (s: string) => `/api/account/sessions/${s}` },
      { method: 'GET', path: (s: string) => `/api/account/${s}` },
      { method: 'POST', path: (s: string) => `/api/account/${s}` },
      { method: 'GET', path: (s: string) => `/${s}` },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(pathSegment(), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)),
        fc.constantFrom(...routes),
        async (segment, route) => {
          // A hostile request, not alice signing herself out.
          fc.pre(!/^logout$/i.test(safeDecode(segment)));
          // `GET /api/account/me` and `/sessions` are alice's own reads: a 200 that changes nothing.
          const success = route.method === 'GET' ? [200] : [];
          await check(
            {
              method: route.method,
              target: route.path(segment),
              headers: [['X-Auth-Token', victim.token]],
            },
            success,
          );
        },
      ),
      RUNS,
    );
  });

  test('hostile login bodies, content types and usernames, on a logged-in session', async () => {
    const credentials = fc
      .record({ username: hostileText(80), password: hostileText(80) })
      .map((body) => JSON.stringify(body));
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonishBody(), credentials), contentType(), async (body, type) => {
        fc.pre(!/"alice123"|"bob123"/.test(body));
        await check({
          method: 'POST',
          target: '/api/account/login',
          headers: [
            ['X-Auth-Token', victim.token],
            ...(type !== undefined ? [['Content-Type', type] as [string, string]] : []),
          ],
          body,
        });
      }),
      { numRuns: 60 },
    );
  });

  test('hostile methods, tokens, cookies, client headers and bodies on every route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(ROUTES)),
        httpMethod(),
        fc.record(
          {
            token: tokenValue(),
            cookie: cookieHeader('SESSION'),
            forwardedFor: hostileText(40),
            userAgent: hostileText(300),
            body: jsonishBody(),
          },
          { requiredKeys: [] },
        ),
        async (path, method, h) => {
          fc.pre(!/"alice123"|"bob123"/.test(h.body ?? ''));
          const headers: [string, string][] = [];
          if (h.token !== undefined) headers.push(['X-Auth-Token', h.token]);
          if (h.cookie !== undefined) headers.push(['Cookie', h.cookie]);
          if (h.forwardedFor !== undefined)
            headers.push(['X-Forwarded-For', oneLine(h.forwardedFor)]);
          if (h.userAgent !== undefined) headers.push(['User-Agent', oneLine(h.userAgent)]);
          if (h.body !== undefined) headers.push(['Content-Type', 'application/json']);
          const success = method === 'OPTIONS' ? [200, 204] : (ROUTES[path]?.[method] ?? []);
          await check(
            { method, target: path, headers, ...(h.body !== undefined ? { body: h.body } : {}) },
            success,
          );
        },
      ),
      RUNS,
    );
  });

  test('a real login with hostile User-Agent and X-Forwarded-For stores them bounded and clean', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText(600), hostileText(80), async (agent, forwarded) => {
        const answer = await rawRequest(port, {
          method: 'POST',
          target: '/api/account/login',
          headers: [
            ['Content-Type', 'application/json'],
            ['User-Agent', oneLine(agent)],
            ['X-Forwarded-For', oneLine(forwarded)],
          ],
          body: JSON.stringify({ username: 'bob', password: 'bob123' }),
        });
        // A control character in a header is refused by the HTTP parser itself (400 JSON).
        if (answer.status !== 200) return misbehaviour(answer) === undefined;
        const token = answer.headers['x-auth-token'] as string;
        const stored = await account.valkey.hgetall(sessionKey(layout.namespace, token));
        const userAgent = stored['a:userAgent']
          ? (JSON.parse(stored['a:userAgent']) as string)
          : '';
        const ip = stored['a:ip'] ? (JSON.parse(stored['a:ip']) as string) : '';
        await account.request('/api/account/logout', { method: 'POST', token });
        return (
          userAgent.length <= MAX_USER_AGENT_LENGTH &&
          !/\p{Cc}/u.test(userAgent) &&
          (ip === '' || /^[0-9a-f.:]+$/i.test(ip))
        );
      }),
      { numRuns: 30 },
    );
  });

  test('bodies over the limit: 413 PAYLOAD_TOO_LARGE in JSON, framed by length or chunked', async () => {
    await assertOversizedBodiesRefused(check, {
      routes: [
        'POST /api/account/login',
        'POST /api/account/logout',
        'POST /api/account/sessions/revoke-others',
      ],
      sizes: [8 * 1024 + 1, 100_000, 1_000_000],
      headers: [['X-Auth-Token', victim.token]],
      numRuns: 10,
    });
  });
});

/** @private */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
