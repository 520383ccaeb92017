// Deploy of a new build under load: `deploy` of every service (gateway last) replaces each
// replica one at a time, start-first, while four API clients keep adding to their carts. Nothing
// may fail or be lost, and at the end every tier answers with the new build. On the local driver
// it runs on a stack of its own: the replicas come back with new names (cart-3, cart-4), and
// api-client and hop-trail, which run after it, count on cart-1 and cart-2. On compose (one stack
// per run; only the fleet-agnostic scenarios run there, and they pick their targets from
// status()) it runs on the main stack.
import { runLoad } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { fleetLoad, fleetLoadOptions, fleetTally } from './fixtures/fleet-load.js';
import { E2E_DRIVER, browserUrl, withFleetStack } from './fixtures/stack-handle.js';
import { expect, test } from './fixtures/test.js';

test('Deploy of every service under load: 0 failed, 0 lost, the new build answers on every tier', async ({
  stack: mainStack,
}, testInfo) => {
  // On compose each service's image is built again (only its version layer changes) and every
  // replacement waits for a container's healthcheck: measured 44 s against 17 s locally.
  if (E2E_DRIVER === 'compose') test.setTimeout(240_000);
  await withFleetStack(mainStack, testInfo, async (stack) => {
    const version = `e2e-${Date.now().toString(36)}`;
    const cast = await fleetLoad(browserUrl(stack));
    const { traffic, sightings, clients } = cast;
    const before = (await stack.status()).filter((entry) => entry.service !== null);

    let deploying = true;
    const started = Date.now();
    await Promise.all([
      runLoad(
        clients,
        fleetLoadOptions(() => !deploying),
      ),
      stack.deploy(undefined, { version }).finally(() => {
        deploying = false;
      }),
    ]);
    const deployMs = Date.now() - started;

    const after = (await stack.status()).filter((entry) => entry.service !== null);
    const tally = await fleetTally(cast);
    // Both tiers behind the gateway, through every gateway: the versions each hop reports.
    const answered = new Set<string>();
    for (let i = 0; i < 8; i++) {
      for (const answer of [await clients[i % 4]!.cart(), await clients[i % 4]!.me()]) {
        answered.add(answer.headers?.get('x-build-version') ?? 'none');
      }
    }
    reportCounts(testInfo, 'deploy', tally, {
      deployMs,
      version,
      replicas: after.map((entry) => entry.name).join(' '),
      buildVersions: [...answered].join(' | '),
    });

    expect(traffic.failures(), 'failed requests').toEqual([]);
    expect(tally.lost, 'acknowledged items lost').toBe(0);
    expect(after.map((entry) => entry.service)).toEqual(before.map((entry) => entry.service));
    for (const entry of after) {
      expect(
        before.map((old) => old.name),
        `${entry.name} is a new replica`,
      ).not.toContain(entry.name);
    }
    expect([...answered], 'X-Build-Version of gateway and cart/account').toEqual([
      `${version}, ${version}`,
    ]);
    for (const entry of after) {
      expect(sightings.versions.get(entry.name), `${entry.name} reported the new build`).toBe(
        version,
      );
    }
  });
});
