// Scenario 4 — SIGKILL: one cart replica and one gateway replica die mid-traffic (no drain, no
// goodbye) and are started again while the traffic goes on. A request in flight on the killed
// process has no answer. nginx sends a GET again to the sibling; every cart write carries an
// Idempotency-Key (the UI and the API clients send one; the gateway adds one otherwise), so nginx
// (edge and internal cart listener) and the gateway send a cut write again too, and cart-service
// applies it once and answers the repeat with the first answer. The clients retry a lost answer
// with the same key as a last resort. The user sees no error: 0 failed calls, 0 items applied
// twice (final carts against acknowledged adds), 0 acknowledged items lost. `retried` counts the
// attempts the clients' own retries hid.
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad } from './fixtures/api-client.js';
import { keepAdding } from './fixtures/browser-load.js';
import { reportCounts } from './fixtures/counts.js';
import { SKUS } from './fixtures/shop.js';
import { finalTally, shopUnderLoad } from './fixtures/shop-under-load.js';
import { firstReplica } from './fixtures/stack-handle.js';
import { expect, test } from './fixtures/test.js';

test('SIGKILL of a cart and a gateway replica mid-traffic: 0 failed requests, 0 duplicates, 0 lost', async ({
  page,
  context,
  stack,
  baseURL,
}, testInfo) => {
  const cast = await shopUnderLoad(page, context, baseURL!);
  const { traffic, shop, clients } = cast;
  // cart-1 and gateway-1 on a fresh stack.
  const killed = [await firstReplica(stack, 'cart'), await firstReplica(stack, 'gateway')];

  let running = true;
  const loads = Promise.all([
    runLoad(clients, {
      skus: SKUS,
      stop: () => !running,
      maxRequests: 400,
      maxMs: 60_000,
      pauseMs: 40,
      readEvery: 3,
    }),
    keepAdding(shop, {
      stop: () => !running,
      maxClicks: 400,
      maxMs: 60_000,
      pauseMs: 20,
      reloadEvery: 3,
    }),
  ]);
  try {
    await sleep(1_000);
    await stack.kill(killed[0]!);
    await sleep(1_500);
    await stack.kill(killed[1]!);
    await sleep(1_500);
    // Back while the traffic goes on: a replica that crashed rejoins without anyone noticing.
    await Promise.all(killed.map((name) => stack.start(name)));
    await sleep(1_000);
  } finally {
    running = false;
    const [, clicks] = await loads;
    await Promise.all(killed.map((name) => stack.start(name)));
    testInfo.annotations.push({ type: 'clicks', description: String(clicks) });
  }

  const tally = await finalTally(cast);
  reportCounts(testInfo, 'sigkill', tally, {
    failedGets: tally.failedGets,
    failedPosts: tally.failedPosts,
    duplicates: tally.duplicates,
    appliedUnacknowledged: tally.appliedUnacknowledged,
    retried: tally.retried,
  });

  // Every cart write of the browser and the API clients carried an Idempotency-Key.
  expect(traffic.outcomes.filter((o) => o.method !== 'GET' && !o.call)).toEqual([]);
  expect(traffic.failures(), 'failed requests (GET and POST)').toEqual([]);
  expect(tally.duplicates, 'items applied twice').toBe(0);
  expect(tally.lost, 'acknowledged items lost').toBe(0);
  expect(tally.appliedUnacknowledged, 'items applied without an acknowledgement').toBe(0);
});
