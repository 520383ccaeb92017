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
  oneLine,
  pathSegment,
  rawRequest,
  tokenValue,
} from '@baton/hostile-http';
import { ValkeyProcess } from '@baton/valkey-testing';
import { addItemBody, setQuantityBody } from '../../src/cart/cart-input.js';
import { DEMO_PRODUCTS } from '../../src/catalog/catalog.js';
import { type CartInstance, Shopper, sessionKeys, startCart } from './harness.js';

/**
 * Property-based tests (fast-check) of every route with hostile paths, bodies, headers and
 * methods, against the real app and a real valkey-server. For every input: a 4xx with a JSON
 * error naming the problem (or the 2xx the route legitimately gives), never a 5xx; a refused
 * request creates no session and hands out no token; the victim's stored session is unchanged
 * byte for byte; and the process still answers afterwards. Runs are bounded to keep each
 * property to a few seconds.
 */

const SKUS = new Set(DEMO_PRODUCTS.map((product) => product.sku));
const RUNS = { numRuns: 100 } as const;

/** Every route and what each method may legitimately answer on it without a body. */
const ROUTES: Record<string, Partial<Record<string, number[]>>> = {
  '/healthz': { GET: [200], HEAD: [200] },
  '/readyz': { GET: [200], HEAD: [200] },
  '/metrics': { GET: [200], HEAD: [200] },
  '/api/catalog': { GET: [200], HEAD: [200] },
  '/cart': { GET: [200], HEAD: [200] },
  '/cart/apple': { POST: [200] },
  '/api/cart': { GET: [200], HEAD: [200], DELETE: [200] },
  '/api/cart/items': {},
  '/api/cart/items/apple': { DELETE: [200] },
  '/no-such-route': {},
};

/** The percent-decoded segment, or undefined when it does not decode. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

describe('hostile input (fast-check against the app and a real Valkey)', () => {
  let valkey: ValkeyProcess;
  let cart: CartInstance;
  let port: number;
  /** Sends its token with hostile requests that must not change its cart. */
  const victim = { token: '', key: '', snapshot: '' };
  /** Never named by any hostile request: its whole hash must survive untouched. */
  const bystander = { key: '', snapshot: '' };

  const hashOf = async (key: string, withLastAccess: boolean): Promise<string> => {
    const fields = await cart.valkey.hgetall(key);
    if (!withLastAccess) delete fields['lastAccess'];
    return JSON.stringify(Object.entries(fields).sort());
  };

  /** Sends a request, checks the platform's promises about its answer, and returns it. */
  const check = async (request: RawRequest, success: number[] = []): Promise<RawAnswer> => {
    const keysBefore = (await sessionKeys(cart)).length;
    const answer = await expectWellBehaved(port, request, success);
    if (answer.status >= 400) {
      assert.equal(
        answer.headers['x-auth-token'],
        undefined,
        'a refused request hands out a token',
      );
      assert.equal((await sessionKeys(cart)).length, keysBefore, 'a refused request created a key');
    }
    const victimNow = await hashOf(victim.key, false);
    if (answer.status < 400) {
      // A write the route accepted may change the cart; it must have been a valid one.
      if (victimNow !== victim.snapshot) assert.ok(acceptsBody(request), summary(request, answer));
      victim.snapshot = victimNow;
    } else if (victimNow !== victim.snapshot) {
      const was = victim.snapshot;
      victim.snapshot = victimNow; // one report per change, not one per later request
      assert.fail(
        `a refused request changed the victim: ${summary(request, answer)}\n${was}\n${victimNow}`,
      );
    }
    return answer;
  };

  before(async () => {
    valkey = await ValkeyProcess.start();
    cart = await startCart(valkey.url, 'cart-1');
    port = Number(new URL(cart.base).port);
    const seed = async (items: string[]) => {
      const shopper = new Shopper([cart]);
      for (const item of items) await shopper.send('POST', `/cart/${item}`);
      const keys = await sessionKeys(cart);
      return { token: shopper.token as string, key: keys.at(-1) as string, keys };
    };
    const first = await seed(['apple', 'apple', 'pear']);
    victim.token = first.token;
    victim.key = first.key;
    victim.snapshot = await hashOf(victim.key, false);
    const second = await seed(['kiwi']);
    bystander.key = second.keys.find((key) => key !== victim.key) as string;
    bystander.snapshot = await hashOf(bystander.key, true);
  });

  after(async () => {
    if (cart) {
      // The properties named the bystander nowhere: not one byte of it may have moved.
      assert.equal(await hashOf(bystander.key, true), bystander.snapshot);
      const probe = await rawRequest(port, { method: 'GET', target: '/healthz' });
      assert.equal(probe.status, 200, 'the process still answers after every property');
    }
    await cart?.close();
    await valkey?.dispose();
  });

  test('hostile :item and :sku path segments, on every route that takes one', async () => {
    const routes = [
      { method: 'POST', path: (s: string) => `/cart/${s}` },
      { method: 'PATCH', path: (s: string) => `/api/cart/items/${s}`, body: '{"qty":1}' },
      { method: 'DELETE', path: (s: string) => `/api/cart/items/${s}` },
      { method: 'GET', path: (s: string) => `/api/cart/${s}` },
      { method: 'GET', path: (s: string) => `/${s}` },
    ];
    await fc.assert(
      fc.asyncProperty(pathSegment(), fc.constantFrom(...routes), async (segment, route) => {
        // A segment that decodes to a real sku is a valid request, not a hostile one.
        fc.pre(!SKUS.has(decoded(segment) ?? ''));
        const target = route.path(segment);
        await check(
          {
            method: route.method,
            target,
            headers: [
              ['X-Auth-Token', victim.token],
              ['Content-Type', 'application/json'],
            ],
            ...(route.body ? { body: route.body } : {}),
          },
          route.method === 'GET' ? [200] : [],
        );
      }),
      RUNS,
    );
  });

  test('hostile bodies and content types on the routes that read a body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST /api/cart/items', 'PATCH /api/cart/items/apple'),
        jsonishBody(),
        contentType(),
        async (route, body, type) => {
          const [method = '', target = ''] = route.split(' ');
          // A valid write (there are a few among the near-misses) is a 200/201 that changes the
          // cart; check() then requires that the body really was valid.
          await check(
            {
              method,
              target,
              headers: [
                ['X-Auth-Token', victim.token],
                ...(type !== undefined ? [['Content-Type', type] as const] : []),
              ],
              body,
            },
            [200, 201],
          );
        },
      ),
      RUNS,
    );
  });

  test('hostile methods, tokens, cookies and headers on every route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(ROUTES)),
        httpMethod(),
        fc.record(
          {
            token: tokenValue(),
            cookie: cookieHeader('SESSION'),
            idempotencyKey: tokenValue(),
            other: fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), hostileText(40)),
          },
          { requiredKeys: [] },
        ),
        async (path, method, headers) => {
          const lines: [string, string][] = [];
          if (headers.token !== undefined) lines.push(['X-Auth-Token', headers.token]);
          if (headers.cookie !== undefined) lines.push(['Cookie', headers.cookie]);
          if (headers.idempotencyKey !== undefined)
            lines.push(['Idempotency-Key', headers.idempotencyKey]);
          if (headers.other !== undefined)
            lines.push([headers.other[0], oneLine(headers.other[1])]);
          // Express answers OPTIONS itself with the route's Allow list.
          const success = method === 'OPTIONS' ? [200, 204] : (ROUTES[path]?.[method] ?? []);
          await check({ method, target: path, headers: lines }, success);
        },
      ),
      RUNS,
    );
  });

  test('bodies over the limit: 413 PAYLOAD_TOO_LARGE in JSON, framed by length or chunked', async () => {
    await assertOversizedBodiesRefused(check, {
      routes: ['POST /api/cart/items', 'PATCH /api/cart/items/apple', 'POST /cart/apple'],
      sizes: [16 * 1024 + 1, 100_000, 1_000_000, 3_000_000],
      headers: [['X-Auth-Token', victim.token]],
      numRuns: 12,
    });
  });
});

/** @private Whether a body write carries what the route accepts (a valid sku and quantity). */
function acceptsBody(request: RawRequest): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(request.body));
  } catch {
    return false;
  }
  if (request.method === 'PATCH') return setQuantityBody.safeParse(parsed).success;
  const result = addItemBody.safeParse(parsed);
  return result.success && SKUS.has(result.data.sku);
}

/** @private The request and its answer, short enough for an assertion message. */
function summary(request: RawRequest, answer: RawAnswer): string {
  const body = request.body === undefined ? '' : ` ${String(request.body).slice(0, 80)}`;
  return `${request.method} ${request.target.slice(0, 100)} ${JSON.stringify(request.headers ?? [])}${body} → ${answer.status}`;
}
