// A replica recreated while something else takes its old address: as a recreated container gets
// a new IP and another container may get the old one, the first cart replica (cart-1 on a fresh
// stack) comes back on a new address while an impostor answers on the old. The edge must reach
// the recreated replica within 10 s, never the impostor, and under a steady load from four API
// clients no request may fail.
import { runLoad } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { fleetLoad, fleetLoadOptions, fleetTally } from './fixtures/fleet-load.js';
import { occupyAddress } from './fixtures/impostor.js';
import { firstReplica } from './fixtures/stack-handle.js';
import { expect, test } from './fixtures/test.js';

/** After `recreate` resolved, the replica has this long to answer a client again. */
const SERVES_AGAIN_WITHIN_MS = 10_000;
/** The load keeps going this long after `recreate`, so a stale address would be hit. */
const WATCH_AFTER_MS = 5_000;

test('Recreate a cart replica with an impostor on its old address: serves again within 10 s, 0 impostor answers, 0 failed', async ({
  stack,
  baseURL,
}, testInfo) => {
  const cast = await fleetLoad(baseURL!);
  const { traffic, sightings, clients } = cast;

  const target = await firstReplica(stack, 'cart');
  const old = (await stack.status()).find((entry) => entry.name === target);
  expect(old?.address, `${target} has an address`).toBeTruthy();
  const impostor = occupyAddress(stack, old!.address!);

  let done = false;
  let recreateMs = 0;
  let servedAgainMs: number | undefined;
  // Locally the replica keeps its name; on compose the new container has the next number.
  let recreated: string = target;
  try {
    await Promise.all([
      runLoad(
        clients,
        fleetLoadOptions(() => done),
      ),
      (async () => {
        try {
          const started = Date.now();
          recreated = await stack.recreate(target);
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
  const tally = await fleetTally(cast);
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
