// The cart's lines stored as `["apple",2]` pairs (line-format.ts), rolled out in two deploys: a
// build that reads both formats and writes objects replaces the previous release, then the same
// build writing pairs replaces it (docs/session-schema-evolution.md, "Changing what a field
// holds"). Here replicas of both phases, v1 and v2 cart models, share one real Valkey.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ATTRIBUTE_PREFIX } from '@baton/session';
import { loadConfig } from '@baton/service-kit';
import { ValkeyProcess } from '@baton/valkey-testing';
import { z } from 'zod';
import { CART_ATTRIBUTE } from '../../src/cart/session-cart.js';
import { cartEnvSchema } from '../../src/config.js';
import { type CartInstance, Shopper, sessionKeys, startCart, storedCartJson } from './harness.js';

type Line = { sku: string; qty: number };
const skuQty = (body: { lines: Line[] }) => body.lines.map((l) => `${l.sku}×${l.qty}`);

/**
 * How the release before pairs read a cart (its session-cart.ts): lines as objects, or nothing.
 * Kept here to show which stored carts that release can still read.
 */
const previousRelease = z.object({
  lines: z.array(z.object({ sku: z.string().min(1), qty: z.number().int().positive() })),
});

describe('cart lines as pairs, beside replicas that write objects', () => {
  let valkey: ValkeyProcess;
  /** Phase 1 (CART_LINE_FORMAT=objects) and phase 2 (the default, pairs), v1 and v2 each. */
  const fleet = {} as Record<'objects' | 'pairs' | 'objectsV2' | 'pairsV2', CartInstance>;
  before(async () => {
    valkey = await ValkeyProcess.start();
    fleet.objects = await startCart(valkey.url, 'cart-1', { CART_LINE_FORMAT: 'objects' });
    fleet.pairs = await startCart(valkey.url, 'cart-2');
    fleet.objectsV2 = await startCart(valkey.url, 'cart-3', {
      CART_LINE_FORMAT: 'objects',
      CART_VERSION: '2',
    });
    fleet.pairsV2 = await startCart(valkey.url, 'cart-4', { CART_VERSION: '2' });
  });
  after(async () => {
    await Promise.all(Object.values(fleet).map((replica) => replica.close()));
    await valkey?.dispose();
  });
  beforeEach(async () => {
    await fleet.pairs.valkey.flushall();
  });

  const add = (shopper: Shopper, via: CartInstance, sku: string, qty = 1, key?: string) =>
    shopper.send('POST', '/api/cart/items', {
      via,
      json: { sku, qty },
      ...(key ? { headers: { 'Idempotency-Key': key } } : {}),
    });

  /** Replaces the stored cart of the shopper's (only) session with `json`, as valkey-cli would. */
  async function store(json: string): Promise<void> {
    const [key] = await sessionKeys(fleet.pairs);
    await fleet.pairs.valkey.hset(key as string, ATTRIBUTE_PREFIX + CART_ATTRIBUTE, json);
  }

  test('writes pairs by default, objects when told, and v2 keeps its saved list as objects', async () => {
    for (const [via, expected] of [
      [fleet.pairs, '{"lines":["apple",2,"pear",1]}'],
      [fleet.objects, '{"lines":[{"sku":"apple","qty":2},{"sku":"pear","qty":1}]}'],
    ] as const) {
      await fleet.pairs.valkey.flushall();
      const shopper = new Shopper([via]);
      await add(shopper, via, 'apple', 2);
      await add(shopper, via, 'pear');
      assert.equal(await storedCartJson(via), expected, via.instanceId);
    }
    await fleet.pairs.valkey.flushall();
    const shopper = new Shopper([fleet.pairsV2]);
    await add(shopper, fleet.pairsV2, 'apple', 2);
    await add(shopper, fleet.pairsV2, 'pear');
    await shopper.send('PUT', '/api/cart/saved/pear', { via: fleet.pairsV2 });
    assert.equal(
      await storedCartJson(fleet.pairsV2),
      '{"@v":2,"lines":["apple",2],"saved":[{"sku":"pear","qty":1}]}',
    );
  });

  test('every stored format reads as the same cart, in order, on both phases', async () => {
    const shopper = new Shopper([fleet.pairs]);
    await add(shopper, fleet.pairs, 'kiwi');
    const objects = '[{"sku":"pear","qty":2},{"sku":"apple","qty":1}]';
    const formats = {
      'bare array': objects,
      objects: `{"lines":${objects}}`,
      'objects with the old writes': `{"lines":${objects},"writes":[]}`,
      pairs: '{"lines":["pear",2,"apple",1]}',
      'v2, pairs': '{"@v":2,"lines":["pear",2,"apple",1],"saved":[{"sku":"kiwi","qty":1}]}',
      'v2, objects': `{"@v":2,"lines":${objects},"saved":[{"sku":"kiwi","qty":1}]}`,
    };
    for (const [name, json] of Object.entries(formats)) {
      await store(json);
      for (const via of Object.values(fleet)) {
        const read = await shopper.send('GET', '/api/cart', { via });
        assert.equal(read.status, 200, `${name} on ${via.instanceId}`);
        assert.deepEqual(skuQty(read.body), ['pear×2', 'apple×1'], `${name} on ${via.instanceId}`);
        if (via === fleet.pairsV2 || via === fleet.objectsV2) {
          const saved = name.startsWith('v2') ? ['kiwi×1'] : [];
          assert.deepEqual(
            skuQty({ lines: read.body.saved }),
            saved,
            `${name} on ${via.instanceId}`,
          );
        }
      }
    }
  });

  test('phase 1 and phase 2 side by side, both ways: no line, quantity or saved entry lost', async () => {
    const shopper = new Shopper([fleet.objects, fleet.pairs, fleet.objectsV2, fleet.pairsV2]);
    const replies = [
      await add(shopper, fleet.objects, 'apple', 2),
      await add(shopper, fleet.pairs, 'pear'),
      await add(shopper, fleet.objectsV2, 'kiwi', 3),
      await shopper.send('PUT', '/api/cart/saved/pear', { via: fleet.pairsV2 }),
      await add(shopper, fleet.objects, 'lemon'),
      await shopper.send('PATCH', '/api/cart/items/kiwi', { via: fleet.pairs, json: { qty: 4 } }),
      await add(shopper, fleet.pairsV2, 'grapes'),
      await shopper.send('DELETE', '/api/cart/items/lemon', { via: fleet.objectsV2 }),
      await add(shopper, fleet.objects, 'apple'),
    ];
    for (const reply of replies) assert.ok(reply.status < 300, `status ${reply.status}`);
    for (const via of Object.values(fleet)) {
      const read = await shopper.send('GET', '/api/cart', { via });
      assert.deepEqual(skuQty(read.body), ['apple×3', 'kiwi×4', 'grapes×1'], via.instanceId);
      if (read.body.saved) assert.deepEqual(skuQty({ lines: read.body.saved }), ['pear×1']);
    }
    const stored = JSON.parse((await storedCartJson(fleet.pairs)) as string);
    assert.equal(stored['@v'], 2, 'the v1 writes kept the v2 tag');
    assert.deepEqual(stored.saved, [{ sku: 'pear', qty: 1 }], 'and the saved list');
  });

  test('the previous release reads every cart phase 1 writes, and not the ones phase 2 writes', async () => {
    const shopper = new Shopper([fleet.objects, fleet.objectsV2]);
    await add(shopper, fleet.objects, 'apple', 2);
    await add(shopper, fleet.objectsV2, 'pear');
    await shopper.send('PATCH', '/api/cart/items/apple', { via: fleet.objects, json: { qty: 5 } });
    const byPhase1 = previousRelease.safeParse(JSON.parse((await storedCartJson(fleet.objects))!));
    assert.deepEqual(byPhase1.data?.lines, [
      { sku: 'apple', qty: 5 },
      { sku: 'pear', qty: 1 },
    ]);
    // Why pairs wait for the second deploy: a replica of the previous release would read this
    // cart as empty, and its next add would replace the shopper's lines.
    await add(shopper, fleet.pairs, 'kiwi');
    const byPhase2 = previousRelease.safeParse(JSON.parse((await storedCartJson(fleet.pairs))!));
    assert.equal(byPhase2.success, false);
  });

  test('a retry on a replica of the other phase answers exactly what the first attempt did', async () => {
    for (const [first, retry] of [
      [fleet.pairs, fleet.objects],
      [fleet.objects, fleet.pairs],
    ] as const) {
      await fleet.pairs.valkey.flushall();
      const shopper = new Shopper([first, retry]);
      await add(shopper, first, 'pear');
      const key = randomUUID();
      const answered = await add(shopper, first, 'apple', 2, key);
      await add(shopper, retry, 'apple', 1);
      const again = await add(shopper, retry, 'apple', 2, key);
      assert.equal(again.status, answered.status);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(again.body, answered.body, `${first.instanceId} then ${retry.instanceId}`);
      const read = await shopper.send('GET', '/api/cart', { via: first });
      assert.deepEqual(skuQty(read.body), ['pear×1', 'apple×3'], 'the retry changed nothing');
    }
  });

  test('pairs that are no cart read as empty (no 500), and the next add replaces them', async () => {
    const shopper = new Shopper([fleet.pairs]);
    await add(shopper, fleet.pairs, 'kiwi');
    for (const json of [
      '{"lines":["apple"]}',
      '{"lines":["apple",0]}',
      '{"lines":[2,"apple"]}',
      '{"lines":["apple",1,{"sku":"pear","qty":1}]}',
      '{"@v":2,"lines":["apple","2"],"saved":[]}',
    ]) {
      await store(json);
      for (const via of Object.values(fleet)) {
        const read = await shopper.send('GET', '/api/cart', { via });
        assert.equal(read.status, 200, `${json} on ${via.instanceId}`);
        assert.deepEqual(read.body.lines, [], `${json} on ${via.instanceId}`);
      }
      const added = await add(shopper, fleet.pairs, 'pear');
      assert.equal(added.status, 201, json);
      const stored = JSON.parse((await storedCartJson(fleet.pairs)) as string);
      assert.deepEqual(stored.lines, ['pear', 1], json);
    }
  });
});

describe('CART_LINE_FORMAT', () => {
  test('pairs unless set to objects, and names itself when wrong', () => {
    const format = (value?: string) =>
      loadConfig(cartEnvSchema, {
        INSTANCE_ID: 'cart-1',
        PORT: '1',
        ...(value === undefined ? {} : { CART_LINE_FORMAT: value }),
      }).CART_LINE_FORMAT;
    assert.equal(format(), 'pairs');
    assert.equal(format(''), 'pairs');
    assert.equal(format('objects'), 'objects');
    assert.throws(() => format('map'), /CART_LINE_FORMAT/);
  });
});
