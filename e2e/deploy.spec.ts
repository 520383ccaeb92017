// Deploy of a new build under load: `deploy` of every service (gateway last) replaces each
// replica one at a time, start-first, while four API clients keep adding to their carts. Nothing
// may fail or be lost, and at the end every tier answers with the new build. It runs on a stack
// of its own on the local driver: the replicas come back with new names (cart-3, cart-4), and
// the other scenarios count on cart-1 and gateway-1. On compose (one stack per run, and every
// container it recreates gets a new number anyway) it runs on the main stack.
import type { Stack } from '@baton/stack';
import { ApiClient, runLoad } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { ReplicaSightings } from './fixtures/replica-sightings.js';
import { SKUS } from './fixtures/shop.js';
import { E2E_DRIVER, MAIN_STACK_ENV, browserUrl, withOwnStack } from './fixtures/stack-handle.js';
import { expect, test } from './fixtures/test.js';
import { Traffic, type Quantities } from './fixtures/traffic.js';

test('Deploy of every service under load: 0 failed, 0 lost, the new build answers on every tier', async ({
  stack: mainStack,
}, testInfo) => {
  const onStack = (body: (stack: Stack) => Promise<void>) =>
    E2E_DRIVER === 'compose' ? body(mainStack) : withOwnStack(MAIN_STACK_ENV, testInfo, body);
  await onStack(async (stack) => {
    const version = `e2e-${Date.now().toString(36)}`;
    const traffic = new Traffic();
    const sightings = new ReplicaSightings();
    const clients = ['api-1', 'api-2', 'api-3', 'api-4'].map(
      (label) => new ApiClient(browserUrl(stack), label, traffic, sightings.observe),
    );
    for (const client of clients) expect((await client.add('apple')).status).toBe(201);
    const before = (await stack.status()).filter((entry) => entry.service !== null);

    let deploying = true;
    const started = Date.now();
    await Promise.all([
      runLoad(clients, {
        skus: SKUS,
        stop: () => !deploying,
        maxRequests: 2_500,
        maxMs: 60_000,
        pauseMs: 40,
        readEvery: 4,
      }),
      stack.deploy(undefined, { version }).finally(() => {
        deploying = false;
      }),
    ]);
    const deployMs = Date.now() - started;

    const after = (await stack.status()).filter((entry) => entry.service !== null);
    const finalCarts = new Map<string, Quantities>();
    for (const client of clients) finalCarts.set(client.label, await client.quantities());
    // Both tiers behind the gateway, through every gateway: the versions each hop reports.
    const answered = new Set<string>();
    for (let i = 0; i < 8; i++) {
      for (const answer of [await clients[i % 4]!.cart(), await clients[i % 4]!.me()]) {
        answered.add(answer.headers?.get('x-build-version') ?? 'none');
      }
    }
    const tally = traffic.tally(finalCarts);
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
