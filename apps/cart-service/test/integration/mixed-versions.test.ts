// A v1 and a v2 replica on one Valkey, as during a rolling deploy (CART_VERSION, cart-versions.ts):
// one shopper bounced between them keeps every item and every saved-for-later entry. The same
// steps with the cart's attribute schema left out lose the saved list and the cart, which is
// what the schema is for (and what shows this test can fail).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadConfig } from '@baton/service-kit';
import { ValkeyProcess } from '@baton/valkey-testing';
import { cartEnvSchema } from '../../src/config.js';
import { type CartInstance, Shopper, startCart, storedCartJson } from './harness.js';

const skus = (lines: { sku: string; qty: number }[]) => lines.map((l) => `${l.sku}×${l.qty}`);

describe('cart v1 and v2 replicas side by side', () => {
  let valkey: ValkeyProcess;
  const fleets = new Map<string, { v1: CartInstance; v2: CartInstance }>();
  before(async () => {
    valkey = await ValkeyProcess.start();
    for (const schema of [true, false]) {
      fleets.set(String(schema), {
        v1: await startCart(valkey.url, 'cart-1', { CART_VERSION: '1' }, { cartSchema: schema }),
        v2: await startCart(
          valkey.url,
          'cart-2',
          { BUILD_VERSION: 'v2.0.1' },
          { cartSchema: schema },
        ),
      });
    }
  });
  after(async () => {
    for (const { v1, v2 } of fleets.values()) await Promise.all([v1.close(), v2.close()]);
    await valkey?.dispose();
  });
  beforeEach(async () => {
    await fleets.get('true')!.v1.valkey.flushall();
  });

  /** v1 starts the cart, v2 saves a line for later, v1 changes the cart, both read it. */
  async function rollout({ v1, v2 }: { v1: CartInstance; v2: CartInstance }) {
    const shopper = new Shopper([v1, v2]);
    const add = (via: CartInstance, sku: string, qty = 1) =>
      shopper.send('POST', '/api/cart/items', { via, json: { sku, qty } });
    assert.equal((await add(v1, 'apple', 2)).status, 201);
    assert.equal((await add(v1, 'pear')).status, 201);
    const saved = await shopper.send('PUT', '/api/cart/saved/pear', { via: v2 });
    const added = await add(v2, 'kiwi');
    const byV1 = await add(v1, 'apple');
    const removed = await shopper.send('DELETE', '/api/cart/items/kiwi', { via: v1 });
    const readV1 = await shopper.send('GET', '/api/cart', { via: v1 });
    const readV2 = await shopper.send('GET', '/api/cart', { via: v2 });
    return { saved, added, byV1, removed, readV1, readV2, stored: await storedCartJson(v1) };
  }

  test('with the cart schema: nothing is lost, both versions read every cart', async () => {
    const run = await rollout(fleets.get('true')!);
    for (const reply of [run.saved, run.added, run.byV1, run.removed, run.readV1, run.readV2]) {
      assert.ok(reply.status === 200 || reply.status === 201, `status ${reply.status}`);
    }
    assert.deepEqual(skus(run.saved.body.lines), ['apple×2']);
    assert.deepEqual(skus(run.saved.body.saved), ['pear×1']);
    assert.deepEqual(skus(run.readV1.body.lines), ['apple×3']);
    assert.equal(run.readV1.body.saved, undefined, 'v1 shows what v1 knows');
    assert.equal(run.readV1.body.servedBy, 'cart-1');
    assert.deepEqual(skus(run.readV2.body.lines), ['apple×3']);
    assert.deepEqual(skus(run.readV2.body.saved), ['pear×1'], 'the v1 writes kept the saved list');
    const stored = JSON.parse(run.stored as string);
    assert.equal(stored['@v'], 2);
    assert.deepEqual(stored.saved, [{ sku: 'pear', qty: 1 }]);
  });

  test('without it the same steps lose the saved list and acknowledged items', async () => {
    const run = await rollout(fleets.get('false')!);
    // v2 cannot read v1's cart (no `saved`, no upcaster): it saw an empty one, so the pear was
    // saved out of nothing and the acknowledged apples and pear left the cart...
    assert.deepEqual(skus(run.saved.body.lines), []);
    // ...and v1's next write dropped the `saved` field it does not know.
    assert.equal(JSON.parse(run.stored as string).saved, undefined);
    assert.deepEqual(run.readV2.body.saved, []);
  });

  test('a v1 replica has no saved routes; a v2 one refuses a sku it does not sell', async () => {
    const { v1, v2 } = fleets.get('true')!;
    const shopper = new Shopper([v1, v2]);
    assert.equal((await shopper.send('PUT', '/api/cart/saved/apple', { via: v1 })).status, 404);
    const unknown = await shopper.send('PUT', '/api/cart/saved/durian', { via: v2 });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'UNKNOWN_SKU');
    const forget = await shopper.send('DELETE', '/api/cart/saved/apple', { via: v2 });
    assert.equal(forget.status, 200);
    assert.equal(shopper.token, undefined, 'forgetting what is not saved creates no session');
  });
});

describe('CART_VERSION', () => {
  const env = { INSTANCE_ID: 'cart-1', PORT: '1' };
  test('follows BUILD_VERSION unless set, and names itself when wrong', () => {
    const version = (extra: Record<string, string>) =>
      loadConfig(cartEnvSchema, { ...env, ...extra }).CART_VERSION;
    assert.equal(version({}), 1);
    assert.equal(version({ BUILD_VERSION: 'v2' }), 2);
    assert.equal(version({ BUILD_VERSION: 'v2.3-rc1' }), 2);
    assert.equal(version({ BUILD_VERSION: 'v20' }), 1);
    assert.equal(version({ BUILD_VERSION: 'v2', CART_VERSION: '1' }), 1);
    assert.equal(version({ CART_VERSION: '' }), 1);
    assert.throws(() => version({ CART_VERSION: '3' }), /CART_VERSION/);
  });
});
