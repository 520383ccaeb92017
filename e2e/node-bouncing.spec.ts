// Scenario 1 — node bouncing: nginx round-robins every hop without stickiness, so one user's
// requests land on both gateways, both cart replicas and both account replicas; the cart and the
// login live in Valkey and follow them. The article's JSON routes read and write the same cart.
import { contextCall, quantitiesOf, type CartBody } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { Shop, type Sku } from './fixtures/shop.js';
import { SESSION_COOKIE } from './fixtures/session-cookie.js';
import { expect, test } from './fixtures/test.js';
import { Traffic } from './fixtures/traffic.js';

const SIX: Sku[] = ['apple', 'pear', 'banana', 'orange', 'lemon', 'kiwi'];

test('Bouncing: six products added in the UI survive every hop landing on another replica', async ({
  page,
  context,
  stack,
}, testInfo) => {
  // gateway-1/2, cart-1/2 and account-1/2 on a fresh stack; whatever replicas run now otherwise.
  const running = (await stack.status()).filter(
    (entry) => entry.service && entry.state === 'running',
  );
  const replicas = running.map((entry) => entry.name);
  const carts = running.filter((entry) => entry.service === 'cart').map((entry) => entry.name);
  expect(replicas, 'two replicas of each tier').toHaveLength(6);
  const traffic = new Traffic();
  traffic.watch(context, 'browser');
  const shop = new Shop(page);

  // The page load asks who we are (account), signing in asks again: two account hops in a row,
  // which round-robin sends to both account replicas.
  await shop.open();
  await shop.signIn('alice', 'alice123');
  for (const sku of SIX) expect(await shop.add(sku), `add ${sku}`).toBe(201);
  await shop.expectItemCount(6);

  for (const replica of replicas) {
    await expect(
      shop.hopTrail.getByRole('listitem').filter({ hasText: replica }),
      `the hop trail shows ${replica}`,
    ).not.toHaveCount(0);
  }

  await shop.reload();
  await expect(shop.signedInAs('alice')).toBeVisible();
  await shop.expectItemCount(6);
  expect(await shop.quantitiesShown()).toEqual(new Map(SIX.map((sku) => [sku, 1])));

  // The article's routes, with the browser's own cookie (curl -b jar next to the browser).
  const servedBy = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const demo = await contextCall(page.request, traffic, 'browser', 'GET', '/cart');
    expect(demo.status).toBe(200);
    const body = demo.body as { servedBy: string; cart: string[] };
    expect(body.cart).toEqual(SIX);
    servedBy.add(body.servedBy);
  }
  expect([...servedBy].sort(), 'servedBy alternates between the cart replicas').toEqual(
    [...carts].sort(),
  );

  const api = await contextCall(page.request, traffic, 'browser', 'GET', '/api/cart');
  expect(api.status).toBe(200);
  expect(quantitiesOf(api.body as CartBody)).toEqual(await shop.quantitiesShown());

  const added = await contextCall(page.request, traffic, 'browser', 'POST', '/cart/cherries');
  expect(added.status).toBe(200);
  const addedBody = added.body as { sessionId: string; cart: string[] };
  expect(addedBody.cart).toEqual([...SIX, 'cherries']);
  // sessionId is the public handle (a hash of the token), never the cookie's value.
  const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
  expect(cookie?.value).toBeTruthy();
  expect(addedBody.sessionId).not.toBe(cookie?.value);

  // The UI sees what the article's route added, without a page reload.
  expect(await shop.reloadCart()).toBe(200);
  await shop.expectItemCount(7);
  await expect(shop.cartTable.getByRole('rowheader', { name: 'Cherries (250 g)' })).toBeVisible();

  const final = await contextCall(page.request, traffic, 'browser', 'GET', '/api/cart');
  const tally = traffic.tally(new Map([['browser', quantitiesOf(final.body as CartBody)]]));
  reportCounts(testInfo, 'bouncing', tally, { servedBy: [...servedBy].join('+') });
  expect(traffic.failures()).toEqual([]);
  expect(tally.lost).toBe(0);
});
