// Scenario 3 — rolling restart under load: while `rolling-restart` restarts the six app replicas
// one at a time (SIGTERM: readiness off, drain, exit; start; ready), a browser keeps adding
// products and API clients keep a steady load. A graceful restart must cost nothing: no failed
// request, no acknowledged item lost, and no item applied twice.
import { ApiClient, runLoad } from './fixtures/api-client.js';
import { keepAdding } from './fixtures/browser-load.js';
import { reportCounts } from './fixtures/counts.js';
import { SKUS, Shop } from './fixtures/shop.js';
import { expect, test } from './fixtures/test.js';
import { Traffic, type Quantities } from './fixtures/traffic.js';

test('Rolling restart under load: 0 failed requests, 0 acknowledged items lost', async ({
  page,
  context,
  stack,
  baseURL,
}, testInfo) => {
  const traffic = new Traffic();
  traffic.watch(context, 'browser');
  const shop = new Shop(page);
  await shop.open();
  const clients = ['api-1', 'api-2', 'api-3'].map(
    (label) => new ApiClient(baseURL!, label, traffic),
  );
  // Each client gets its session (and token) before the restart starts.
  for (const client of clients) expect((await client.add('apple')).status).toBe(201);

  let restarting = true;
  const started = Date.now();
  const restart = stack.rollingRestart().finally(() => {
    restarting = false;
  });
  const [, clicks] = await Promise.all([
    runLoad(clients, {
      skus: SKUS,
      stop: () => !restarting,
      maxRequests: 400,
      maxMs: 60_000,
      pauseMs: 80,
      readEvery: 5,
    }),
    keepAdding(shop, {
      stop: () => !restarting,
      maxClicks: 400,
      maxMs: 60_000,
      pauseMs: 20,
      reloadEvery: 5,
    }),
    restart,
  ]);
  const restartMs = Date.now() - started;

  await shop.reload();
  const finalCarts = new Map<string, Quantities>([['browser', await shop.quantitiesShown()]]);
  for (const client of clients) finalCarts.set(client.label, await client.quantities());
  const tally = traffic.tally(finalCarts);
  reportCounts(testInfo, 'rolling-restart', tally, {
    clicks,
    appliedUnacknowledged: tally.appliedUnacknowledged,
    restartMs,
  });

  expect(traffic.failures(), 'failed requests').toEqual([]);
  expect(tally.lost, 'acknowledged items lost').toBe(0);
  expect(tally.appliedUnacknowledged, 'items applied twice').toBe(0);
});
