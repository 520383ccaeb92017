// A rolling deploy that changes what the session holds: cart v1 → v2 (the "saved for later" list,
// apps/cart-service cart-versions.ts) under load, every client saves two products for later on
// v2, then a rollback v2 → v1 under load, whose v1 replicas write carts that hold v2's list. The
// counts: 0 failed requests, 0 acknowledged items lost, 0 saved entries (v2 fields) lost in
// Valkey, and every cart read by both versions. On the local driver it runs on a stack of its own
// (the replicas come back renamed, as in deploy.spec.ts); on compose on the main stack.
import { ApiClient, runLoad } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { fleetLoadOptions } from './fixtures/fleet-load.js';
import { ReplicaSightings } from './fixtures/replica-sightings.js';
import { SKUS } from './fixtures/shop.js';
import { E2E_DRIVER, browserUrl, withFleetStack } from './fixtures/stack-handle.js';
import { storedAttribute } from './fixtures/stored-session.js';
import { Traffic, isOk } from './fixtures/traffic.js';
import { expect, test } from './fixtures/test.js';

/** The load adds these; the other two are only ever saved for later, so lines stay a tally. */
const LOAD_SKUS = SKUS.slice(0, 6);
const SAVED_SKUS = SKUS.slice(6);

/**
 * Two deploys' load must keep every line under the cart's 99 of one sku: at most 360 requests per
 * deploy (3 in 4 are adds, over 6 skus: 45 per sku). Paced so that they span a deploy, which
 * takes a few seconds locally and 13-24 s on compose (image build, healthchecks).
 */
const LOAD_PER_DEPLOY = { maxRequests: 360, pauseMs: E2E_DRIVER === 'compose' ? 600 : 40 };

/** The cart model a `X-Build-Version: <gateway>, <cart>` answer came from (config.ts's rule). */
function cartModelOf(buildVersions: string | null | undefined): 'v1' | 'v2' | undefined {
  const cart = buildVersions?.split(',')[1]?.trim();
  if (!cart) return undefined;
  return /^v2(?:[.+-]|$)/.test(cart) ? 'v2' : 'v1';
}

test('Rolling deploy v1 → v2, then rollback v2 → v1, under load: 0 failed, 0 lost, 0 v2 fields lost', async ({
  stack: mainStack,
}, testInfo) => {
  // Two deploys of the cart image on compose, each replacement waiting for a healthcheck.
  if (E2E_DRIVER === 'compose') test.setTimeout(240_000);
  await withFleetStack(mainStack, testInfo, async (stack) => {
    const traffic = new Traffic();
    const sightings = new ReplicaSightings();
    // Which cart models answered each client with its cart (reads, and the cart every write returns).
    const readBy = new Map<string, Set<string>>();
    const clients = ['api-1', 'api-2', 'api-3', 'api-4'].map((label) => {
      readBy.set(label, new Set());
      return new ApiClient(browserUrl(stack), label, traffic, (answer) => {
        sightings.observe(answer);
        const model = cartModelOf(answer.headers?.get('x-build-version'));
        const ok = isOk(answer.status);
        if (ok && model && Array.isArray((answer.body as { lines?: unknown })?.lines)) {
          readBy.get(label)!.add(model);
        }
      });
    });
    for (const client of clients) expect((await client.add(LOAD_SKUS[0]!)).status).toBe(201);

    const deployUnderLoad = async (version: string): Promise<number> => {
      let deploying = true;
      const started = Date.now();
      await Promise.all([
        runLoad(clients, {
          ...fleetLoadOptions(() => !deploying),
          skus: LOAD_SKUS,
          ...LOAD_PER_DEPLOY,
        }),
        stack.deploy('cart', { version }).finally(() => {
          deploying = false;
        }),
      ]);
      return Date.now() - started;
    };

    const forwardMs = await deployUnderLoad('v2');
    // The whole fleet runs v2: each shopper saves two products for later.
    for (const client of clients) {
      for (const sku of SAVED_SKUS) {
        const answer = await client.send('PUT', `/api/cart/saved/${sku}`);
        expect(answer.status, `${client.label} saves ${sku}`).toBe(200);
      }
      const saved = ((await client.cart()).body as { saved?: { sku: string }[] }).saved;
      expect(saved?.map((item) => item.sku)).toEqual(SAVED_SKUS);
    }

    const rollbackMs = await deployUnderLoad('v1');
    // Every replica runs v1 now: one more add each, so every cart surely has a v1 write over it.
    for (const client of clients) {
      expect((await client.add(LOAD_SKUS[1]!)).status, `${client.label} adds on v1`).toBe(200);
    }

    const finalCarts = new Map();
    let savedKept = 0;
    let tagged = 0;
    for (const client of clients) {
      finalCarts.set(client.label, await client.quantities());
      const stored = JSON.parse((await storedAttribute(stack, client.token!, 'cart')) ?? '{}') as {
        '@v'?: number;
        saved?: { sku: string }[];
      };
      savedKept += SAVED_SKUS.filter((sku) =>
        stored.saved?.some((item) => item.sku === sku),
      ).length;
      if (stored['@v'] === 2) tagged += 1;
    }
    const tally = traffic.tally(finalCarts);
    const savedAcknowledged = clients.length * SAVED_SKUS.length;
    const readByBoth = [...readBy.values()].filter((models) => models.size === 2).length;
    reportCounts(testInfo, 'mixed-versions', tally, {
      v2FieldsSaved: savedAcknowledged,
      v2FieldsLost: savedAcknowledged - savedKept,
      cartsReadByBothVersions: `${readByBoth} of ${clients.length}`,
      storedAsV2: `${tagged} of ${clients.length}`,
      forwardMs,
      rollbackMs,
    });

    expect(traffic.failures(), 'failed requests').toEqual([]);
    expect(tally.lost, 'acknowledged items lost').toBe(0);
    expect(savedAcknowledged - savedKept, 'v2 fields lost').toBe(0);
    expect(tagged, 'carts still stored as v2 after v1 wrote them').toBe(clients.length);
    for (const [label, models] of readBy) {
      expect([...models].sort(), `${label}'s cart was read by both versions`).toEqual(['v1', 'v2']);
    }
    const carts = (await stack.status()).filter((entry) => entry.service === 'cart');
    for (const entry of carts) {
      expect(sightings.versions.get(entry.name), `${entry.name} runs the rollback`).toBe('v1');
    }
  });
});
