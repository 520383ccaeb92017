// Scaling under load: while four API clients keep adding to their carts, cart goes 2→5→1→2 and
// the gateway 2→3→2. A replica that joins must serve the carts that already exist, and one that
// leaves must cost nothing: it is out of nginx before it drains. Every new replica's first
// answer is timed against the moment `scale` said it was ready.
import type { Stack } from '@baton/stack';
import { runLoad } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { fleetLoad, fleetLoadOptions, fleetTally } from './fixtures/fleet-load.js';
import { expect, test } from './fixtures/test.js';

/** How long a new replica may take to answer a client after `scale` resolved. */
const FIRST_ANSWER_WITHIN_MS = 10_000;

const STEPS: readonly [service: string, replicas: number][] = [
  ['cart', 5],
  ['cart', 1],
  ['cart', 2],
  ['gateway', 3],
  ['gateway', 2],
];

test('Scaling under load: cart 2→5→1→2, gateway 2→3→2; 0 failed, 0 lost, new replicas serve within 10 s', async ({
  stack,
  baseURL,
}, testInfo) => {
  // Every client has its cart before the first replica is added: new replicas serve existing carts.
  const cast = await fleetLoad(baseURL!);
  const { traffic, sightings, clients } = cast;

  const initial = {
    cart: await replicaNames(stack, 'cart'),
    gateway: await replicaNames(stack, 'gateway'),
  };
  const delays: string[] = [];
  let scaling = true;
  const started = Date.now();
  const steps = (async () => {
    try {
      for (const [service, replicas] of STEPS) {
        const before = await replicaNames(stack, service);
        await stack.scale(service, replicas);
        const readyAt = Date.now();
        const after = await replicaNames(stack, service);
        expect(after, `${service} replicas after scale ${replicas}`).toHaveLength(replicas);
        const added = after.filter((name) => !before.includes(name));
        const seen = await sightings.waitForAll(added, readyAt, FIRST_ANSWER_WITHIN_MS);
        for (const name of added) {
          const at = seen.get(name);
          delays.push(`${name}=${at === undefined ? 'never' : `${at - readyAt}ms`}`);
          expect(at, `${name} answered within 10 s of being ready`).toBeDefined();
        }
      }
    } finally {
      scaling = false;
    }
  })();
  try {
    await Promise.all([
      runLoad(
        clients,
        fleetLoadOptions(() => !scaling),
      ),
      steps,
    ]);
  } finally {
    // Whatever failed, the next scenario gets two replicas of each again (a no-op when it has).
    await stack.scale('cart', 2);
    await stack.scale('gateway', 2);
  }
  const scaleMs = Date.now() - started;

  const tally = await fleetTally(cast);
  reportCounts(testInfo, 'scaling', tally, { scaleMs, firstSeen: delays.join(' ') });

  expect(traffic.failures(), 'failed requests').toEqual([]);
  expect(tally.lost, 'acknowledged items lost').toBe(0);
  // Scaling in keeps the lowest-numbered replicas: the first one outlives every step.
  for (const service of ['cart', 'gateway'] as const) {
    const names = await replicaNames(stack, service);
    expect(names, `${service} replicas at the end`).toHaveLength(2);
    expect(names[0], `${service}'s first replica survived`).toBe(initial[service][0]);
  }
});

/** The replicas of `service`, in status order. @private */
async function replicaNames(stack: Stack, service: string): Promise<string[]> {
  return (await stack.status())
    .filter((entry) => entry.service === service)
    .map((entry) => entry.name);
}
