// A replica recreated while something else takes its old address: as a recreated container gets
// a new IP and another container may get the old one, cart-1 comes back on a new address while
// an impostor answers on the old. The edge must reach cart-1 again within 10 s, never the
// impostor, and under a steady load from four API clients no request may fail.
import { ApiClient, runLoad } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { occupyAddress } from './fixtures/impostor.js';
import { ReplicaSightings } from './fixtures/replica-sightings.js';
import { SKUS } from './fixtures/shop.js';
import { expect, test } from './fixtures/test.js';
import { Traffic, type Quantities } from './fixtures/traffic.js';

const TARGET = 'cart-1';
/** After `recreate` resolved, the replica has this long to answer a client again. */
const SERVES_AGAIN_WITHIN_MS = 10_000;
/** The load keeps going this long after `recreate`, so a stale address would be hit. */
const WATCH_AFTER_MS = 5_000;

test('Recreate cart-1 with an impostor on its old address: serves again within 10 s, 0 impostor answers, 0 failed', async ({
  stack,
  baseURL,
}, testInfo) => {
  const traffic = new Traffic();
  const sightings = new ReplicaSightings();
  const clients = ['api-1', 'api-2', 'api-3', 'api-4'].map(
    (label) => new ApiClient(baseURL!, label, traffic, sightings.observe),
  );
  for (const client of clients) expect((await client.add('apple')).status).toBe(201);

  const old = (await stack.status()).find((entry) => entry.name === TARGET);
  expect(old?.address, `${TARGET} has an address`).toBeTruthy();
  const impostor = occupyAddress(stack, old!.address!);

  let done = false;
  let recreateMs = 0;
  let servedAgainMs: number | undefined;
  // Locally the replica keeps its name; on compose the new container has the next number.
  let recreated: string = TARGET;
  try {
    await Promise.all([
      runLoad(clients, {
        skus: SKUS,
        stop: () => done,
        maxRequests: 1_500,
        maxMs: 60_000,
        pauseMs: 40,
        readEvery: 4,
      }),
      (async () => {
        try {
          const started = Date.now();
          recreated = await stack.recreate(TARGET);
          const readyAt = Date.now();
          recreateMs = readyAt - started;
          const seen = await sightings.waitForAll([recreated], readyAt, SERVES_AGAIN_WITHIN_MS);
          const at = seen.get(recreated);
          servedAgainMs = at === undefined ? undefined : at - readyAt;
          await new Promise((resolve) => setTimeout(resolve, WATCH_AFTER_MS));
        } finally {
          done = true;
        }
      })(),
    ]);
  } finally {
    await impostor.close();
  }

  const moved = (await stack.status()).find((entry) => entry.name === recreated);
  const finalCarts = new Map<string, Quantities>();
  for (const client of clients) finalCarts.set(client.label, await client.quantities());
  const tally = traffic.tally(finalCarts);
  reportCounts(testInfo, 'recreate', tally, {
    recreated,
    impostorAnswers: sightings.count('impostor'),
    impostorHits: impostor.hits(),
    recreateMs,
    servedAgainMs: servedAgainMs ?? 'never',
    oldAddress: old!.address!,
    newAddress: moved?.address ?? 'none',
  });

  expect(await impostor.listening, 'the old address was freed and taken by the impostor').toBe(
    true,
  );
  expect(moved?.address, 'a new address').not.toBe(old!.address);
  expect(servedAgainMs, `${recreated} served again within 10 s`).toBeDefined();
  expect(sightings.count('impostor'), 'answers from the impostor').toBe(0);
  expect(traffic.failures(), 'failed requests').toEqual([]);
  expect(tally.lost, 'acknowledged items lost').toBe(0);
});
