// Scenario 9 — an API client: no cookie jar, the session token travels in `X-Auth-Token` (header
// mode, like Spring Session's HeaderHttpSessionIdResolver), through the edge and the gateway, and
// gets the browser's cart semantics: the article's routes and /api/cart on one cart, bouncing
// replicas, a new token at login, and the session ended at logout. Requests are made with Node's
// fetch from the test process: it has no cookie jar, so nothing but the header can carry the
// session.
import { ApiClient, quantitiesOf, type CartBody } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { expect, test } from './fixtures/test.js';
import { Traffic } from './fixtures/traffic.js';

test('API client: X-Auth-Token instead of a cookie, same cart semantics', async ({
  baseURL,
}, testInfo) => {
  const traffic = new Traffic();
  const api = new ApiClient(baseURL!, 'api', traffic);

  // An empty X-Auth-Token opts into header mode: the token comes back in the header, no cookie.
  const first = await api.add('apple', 2);
  expect(first.status).toBe(201);
  expect(first.headers?.get('location')).toBe('/api/cart/items/apple');
  expect(first.headers?.get('set-cookie')).toBeNull();
  const token = api.token;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

  expect((await api.add('apple')).status).toBe(200);
  const demo = await api.send('POST', '/cart/pear');
  expect(demo.status).toBe(200);
  const demoBody = demo.body as { servedBy: string; sessionId: string; cart: string[] };
  expect(demoBody.cart).toEqual(['apple', 'apple', 'apple', 'pear']);
  expect(demoBody.sessionId).not.toBe(token);
  expect(api.token, 'adds keep the token').toBe(token);

  const servedBy = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const read = await api.send('GET', '/cart');
    expect(read.status).toBe(200);
    expect((read.body as { cart: string[] }).cart).toEqual(['apple', 'apple', 'apple', 'pear']);
    expect(read.headers?.get('x-served-by')).toMatch(/^gateway-[12], cart-[12]$/);
    servedBy.add((read.body as { servedBy: string }).servedBy);
  }
  expect([...servedBy].sort()).toEqual(['cart-1', 'cart-2']);
  const cart = await api.cart();
  expect((cart.body as CartBody).count).toBe(4);
  const tally = traffic.tally(new Map([['api', quantitiesOf(cart.body as CartBody)]]));

  // Login in header mode: a new token, the cart kept, the old token dead.
  const login = await api.login('alice', 'alice123');
  expect(login.status).toBe(200);
  expect(login.headers?.get('set-cookie')).toBeNull();
  expect(api.token).toBeTruthy();
  expect(api.token).not.toBe(token);
  expect(quantitiesOf((await api.cart()).body as CartBody)).toEqual(
    new Map([
      ['apple', 3],
      ['pear', 1],
    ]),
  );
  const replay = new ApiClient(baseURL!, 'replay');
  replay.token = token;
  expect((await replay.me()).status).toBe(401);
  expect(((await replay.cart()).body as CartBody).count).toBe(0);

  // The rest of the cart API, as the UI uses it.
  expect((await api.send('PATCH', '/api/cart/items/pear', { qty: 5 })).status).toBe(200);
  expect((await api.send('DELETE', '/api/cart/items/apple')).status).toBe(200);
  expect(quantitiesOf((await api.cart()).body as CartBody)).toEqual(new Map([['pear', 5]]));
  // The cart's limits hold for this client too (a probe that is not part of the counted traffic).
  const probe = new ApiClient(baseURL!, 'probe');
  probe.token = api.token;
  const tooMany = await probe.add('pear', 95);
  expect(tooMany.status).toBe(422);
  expect((tooMany.body as { error: { code: string } }).error.code).toBe('QUANTITY_LIMIT_EXCEEDED');

  // Logout: 204, an empty X-Auth-Token (the client forgets its token), the session deleted.
  const signedIn = api.token;
  const logout = await api.send('POST', '/api/account/logout');
  expect(logout.status).toBe(204);
  expect(logout.headers?.get('x-auth-token')).toBe('');
  expect(api.token).toBeUndefined();
  const stale = new ApiClient(baseURL!, 'stale');
  stale.token = signedIn;
  expect((await stale.me()).status).toBe(401);
  expect(((await stale.cart()).body as CartBody).count).toBe(0);

  reportCounts(testInfo, 'api-client', {
    ...tally,
    sent: traffic.outcomes.length,
    failed: traffic.failures().length,
  });
  expect(traffic.failures()).toEqual([]);
  expect(tally.lost).toBe(0);
});
