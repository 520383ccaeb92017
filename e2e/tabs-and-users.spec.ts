// Scenario 8 — tabs and users. Two tabs of one browser share one session (one cookie jar) and
// click "Add" as fast as they can at the same time: every add is an atomic compare-and-set on the
// cart in Valkey, retried when another request (on any replica) got in between, so no click is
// lost. Another browser context is another user, with a cart of its own.
import { reportCounts } from './fixtures/counts.js';
import { Shop, type Sku } from './fixtures/shop.js';
import { SESSION_COOKIE } from './fixtures/session-cookie.js';
import { expect, test } from './fixtures/test.js';
import { Traffic, type Quantities } from './fixtures/traffic.js';

const CLICKS_PER_TAB = 15;
const TAB_1: Sku[] = ['apple', 'pear', 'banana'];
const TAB_2: Sku[] = ['apple', 'orange', 'banana'];

test('Two tabs adding concurrently lose nothing; two users have separate carts', async ({
  context,
  browser,
  baseURL,
}, testInfo) => {
  const traffic = new Traffic();
  traffic.watch(context, 'tabs');
  const tab1 = new Shop(await context.newPage());
  await tab1.open();
  // The session exists before the tabs race: two first adds with no cookie at all would each
  // create a session of their own, and the browser would keep only the last cookie.
  expect(await tab1.add('apple')).toBe(201);
  const tab2 = new Shop(await context.newPage());
  await tab2.open();
  await tab2.expectItemCount(1);

  // Clicks are fired without waiting for answers, so the adds overlap on both cart replicas.
  const clickAway = async (shop: Shop, skus: Sku[]) => {
    for (let i = 0; i < CLICKS_PER_TAB; i++) await shop.addButton(skus[i % skus.length]!).click();
  };
  await Promise.all([clickAway(tab1, TAB_1), clickAway(tab2, TAB_2)]);
  await expect
    .poll(() => traffic.settledAdds('tabs'), { timeout: 30_000 })
    .toBe(1 + 2 * CLICKS_PER_TAB);

  const expected = traffic.acknowledged('tabs');
  expect([...expected.values()].reduce((a, b) => a + b, 0)).toBe(1 + 2 * CLICKS_PER_TAB);
  await tab1.reload();
  await tab2.reload();
  expect(await tab1.quantitiesShown()).toEqual(expected);
  expect(await tab2.quantitiesShown()).toEqual(expected);

  // Another user: its own context, its own cookie, its own cart.
  const other = await browser.newContext({ baseURL: baseURL! });
  try {
    traffic.watch(other, 'other');
    const otherShop = new Shop(await other.newPage());
    await otherShop.open();
    await otherShop.expectItemCount(0);
    expect(await otherShop.add('kiwi')).toBe(201);
    expect(await otherShop.add('kiwi')).toBe(200);
    await otherShop.reload();
    expect(await otherShop.quantitiesShown()).toEqual(new Map([['kiwi', 2]]));
    await tab1.reload();
    expect(await tab1.quantitiesShown()).toEqual(expected);

    const tabsCookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    const otherCookie = (await other.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(otherCookie?.value).toBeTruthy();
    expect(otherCookie?.value).not.toBe(tabsCookie?.value);

    const finalCarts = new Map<string, Quantities>([
      ['tabs', await tab1.quantitiesShown()],
      ['other', await otherShop.quantitiesShown()],
    ]);
    const tally = traffic.tally(finalCarts);
    reportCounts(testInfo, 'tabs-and-users', tally, {
      concurrentClicks: 2 * CLICKS_PER_TAB,
      appliedUnacknowledged: tally.appliedUnacknowledged,
    });
    expect(traffic.failures()).toEqual([]);
    expect(tally.lost).toBe(0);
    expect(tally.appliedUnacknowledged).toBe(0);
  } finally {
    await other.close();
  }
});
