// Scenario 3 — rolling restart under load: while `rolling-restart` restarts the six app replicas
// one at a time (SIGTERM: readiness off, drain, exit; start; ready), a browser keeps adding
// products and API clients keep a steady load. A graceful restart must cost nothing: no failed
// request, no acknowledged item lost, and no item applied twice.
import { runLoad } from './fixtures/api-client.js';
import { keepAdding } from './fixtures/browser-load.js';
import { reportCounts } from './fixtures/counts.js';
import { SKUS } from './fixtures/shop.js';
import { finalTally, shopUnderLoad } from './fixtures/shop-under-load.js';
import { expect, test } from './fixtures/test.js';

test('Rolling restart under load: 0 failed requests, 0 acknowledged items lost', async ({
  page,
  context,
  stack,
  baseURL,
}, testInfo) => {
  // Each client gets its session (and token) before the restart starts.
  const cast = await shopUnderLoad(page, context, baseURL!);
  const { traffic, shop, clients } = cast;

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

  const tally = await finalTally(cast);
  reportCounts(testInfo, 'rolling-restart', tally, {
    clicks,
    appliedUnacknowledged: tally.appliedUnacknowledged,
    restartMs,
  });

  expect(traffic.failures(), 'failed requests').toEqual([]);
  expect(tally.lost, 'acknowledged items lost').toBe(0);
  expect(tally.appliedUnacknowledged, 'items applied twice').toBe(0);
});
