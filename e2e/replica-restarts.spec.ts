// Scenario 2 — every replica restarted: between two actions of a signed-in user, each app
// replica (two per service) is restarted, one at a time (graceful: SIGTERM, exit, start, ready). The second
// action is served only by processes that never saw the first, and nothing of the user's state
// was in any of them: the same cookie value, still signed in, the same cart.
import { contextCall, quantitiesOf, type CartBody } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { Shop } from './fixtures/shop.js';
import { SESSION_COOKIE } from './fixtures/session-cookie.js';
import { expect, test } from './fixtures/test.js';
import { Traffic } from './fixtures/traffic.js';

test('Every replica restarted between two actions: same cookie, still signed in, same cart', async ({
  page,
  context,
  stack,
}, testInfo) => {
  const traffic = new Traffic();
  traffic.watch(context, 'browser');
  const shop = new Shop(page);
  await shop.open();
  await shop.signIn('bob', 'bob123');

  // Action 1.
  expect(await shop.add('apple')).toBe(201);
  expect(await shop.add('pear')).toBe(201);
  await shop.expectItemCount(2);
  const cookieBefore = await sessionCookie();
  const pidsBefore = await appPids();
  const replicas = (await stack.status()).filter((entry) => entry.service !== null);

  for (const replica of replicas) await stack.restart(replica.name);

  const pidsAfter = await appPids();
  for (const replica of replicas) {
    expect(pidsAfter.get(replica.name), `${replica.name} is a new process`).not.toBe(
      pidsBefore.get(replica.name),
    );
  }

  // Action 2, in the same page, without a reload.
  expect(await shop.add('banana')).toBe(201);
  await shop.expectItemCount(3);
  await shop.reload();
  await expect(shop.signedInAs('bob')).toBeVisible();
  expect(await shop.quantitiesShown()).toEqual(
    new Map([
      ['apple', 1],
      ['pear', 1],
      ['banana', 1],
    ]),
  );
  expect(await sessionCookie(), 'the same cookie value').toBe(cookieBefore);

  const final = await contextCall(page.request, traffic, 'browser', 'GET', '/api/cart');
  const tally = traffic.tally(new Map([['browser', quantitiesOf(final.body as CartBody)]]));
  reportCounts(testInfo, 'replica-restarts', tally, { restarted: replicas.length });
  expect(traffic.failures()).toEqual([]);
  expect(tally.lost).toBe(0);

  async function sessionCookie(): Promise<string | undefined> {
    return (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE)?.value;
  }

  async function appPids(): Promise<Map<string, number | null>> {
    return new Map((await stack.status()).map((process) => [process.name, process.pid]));
  }
});
