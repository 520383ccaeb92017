import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import {
  ATTRIBUTE_PREFIX,
  KeyLayout,
  createValkeyClient,
  sessionIdOf,
  waitUntilReady,
} from '@baton/session';
import { ValkeyProcess } from '@baton/valkey-testing';
import { CART_ATTRIBUTE } from '../../src/cart/session-cart.js';
import { type CartInstance, Shopper, startCart } from './harness.js';

/** What a gateway sees on the channel: the id, and the cart Valkey held when the message came. */
interface Seen {
  id: string;
  storedCart: string | null;
}

describe('cart change notifications (PUBLISH <ns>:cart-changes <session id>)', () => {
  let valkey: ValkeyProcess;
  let one: CartInstance;
  let two: CartInstance;
  let subscriber: Redis;
  let reader: Redis;
  const seen: Seen[] = [];
  const waiters: (() => void)[] = [];

  /** Resolves with the next message the subscriber receives. */
  async function next(): Promise<Seen> {
    const count = seen.length;
    while (seen.length === count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no cart change published')), 2_000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return seen[count] as Seen;
  }

  before(async () => {
    valkey = await ValkeyProcess.start();
    one = await startCart(valkey.url, 'cart-1');
    two = await startCart(valkey.url, 'cart-2');
    const keys = new KeyLayout(one.config.SESSION_NAMESPACE);
    reader = createValkeyClient({ url: valkey.url });
    subscriber = createValkeyClient({ url: valkey.url });
    subscriber.on('message', (_channel: string, id: string) => {
      // Read at once, as a gateway would: the change must already be there.
      void reader
        .hget(keys.sessionKey(id), ATTRIBUTE_PREFIX + CART_ATTRIBUTE)
        .then((storedCart) => {
          seen.push({ id, storedCart });
          waiters.splice(0).forEach((wake) => wake());
        });
    });
    await Promise.all([waitUntilReady(reader), waitUntilReady(subscriber)]);
    await subscriber.subscribe(`${one.config.SESSION_NAMESPACE}:cart-changes`);
  });

  after(async () => {
    subscriber?.disconnect();
    reader?.disconnect();
    await one?.close();
    await two?.close();
    await valkey?.dispose();
  });

  test('a change publishes the public session id, never the token, after the write', async () => {
    const shopper = new Shopper([one, two]);
    const published = next();
    const reply = await shopper.send('POST', '/api/cart/items', { json: { sku: 'apple', qty: 2 } });
    assert.equal(reply.status, 201);
    const message = await published;
    assert.ok(shopper.token);
    assert.equal(message.id, sessionIdOf(shopper.token));
    assert.notEqual(message.id, shopper.token);
    assert.deepEqual(JSON.parse(message.storedCart ?? 'null'), {
      lines: ['apple', 2],
    });
  });

  test('every route that changes the cart publishes once, on either replica', async () => {
    const shopper = new Shopper([one, two]);
    await shopper.send('POST', '/cart/pear');
    const id = (await next()).id;
    const changes: [string, string, unknown?, unknown?][] = [
      ['POST', '/api/cart/items', { sku: 'kiwi', qty: 1 }, ['pear', 1, 'kiwi', 1]],
      ['PATCH', '/api/cart/items/kiwi', { qty: 3 }, ['pear', 1, 'kiwi', 3]],
      ['DELETE', '/api/cart/items/pear', undefined, ['kiwi', 3]],
      ['POST', '/cart/apple', undefined, ['kiwi', 3, 'apple', 1]],
      ['DELETE', '/api/cart', undefined, []],
    ];
    for (const [method, path, json, stored] of changes) {
      const published = next();
      const reply = await shopper.send(method, path, json === undefined ? {} : { json });
      assert.ok(reply.status < 300, `${method} ${path} → ${reply.status}`);
      const message = await published;
      assert.equal(message.id, id, `${method} ${path}`);
      assert.deepEqual(
        JSON.parse(message.storedCart ?? 'null'),
        { lines: stored },
        `${method} ${path}`,
      );
    }
  });

  test('reads, refused changes and no-op removals publish nothing', async () => {
    const shopper = new Shopper([one, two]);
    await shopper.send('POST', '/api/cart/items', { json: { sku: 'lemon', qty: 1 } });
    await next();
    const before = seen.length;
    const quiet: [string, string, unknown?][] = [
      ['GET', '/api/cart'],
      ['GET', '/cart'],
      ['POST', '/api/cart/items', { sku: 'banana-phone', qty: 1 }],
      ['POST', '/api/cart/items', { sku: 'lemon', qty: 1000 }],
      ['PATCH', '/api/cart/items/pear', { qty: 2 }],
      ['DELETE', '/api/cart/items/pear'],
    ];
    for (const [method, path, json] of quiet) {
      await shopper.send(method, path, json === undefined ? {} : { json });
    }
    // Messages arrive in publish order: the next one must be this change, not an earlier one.
    const published = next();
    await shopper.send('DELETE', '/api/cart');
    assert.deepEqual(JSON.parse((await published).storedCart ?? 'null'), { lines: [] });
    assert.equal(seen.length, before + 1);
  });
});
