// Two versions of one app on one Valkey, as during a rolling deploy: `v1` knows the cart as
// `{ lines }`, `v2` adds `saved` (and upcasts v1 carts). Each "replica" is a SessionManager of its
// own; the stored hash field is read back with HGET to see what really is in Valkey.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { ValkeyProcess } from '@baton/valkey-testing';
import {
  type AttributeSchema,
  KeyLayout,
  SessionManager,
  sessionIdOf,
} from '../../src/core/index.js';
import { RecordingLogger, startValkey } from './harness.js';

const NS = 'schema-test';

interface CartV1 {
  lines: string[];
}
interface CartV2 extends CartV1 {
  saved: string[];
}

const V1: AttributeSchema = {};
const V2: AttributeSchema = {
  version: 2,
  upcasters: { 1: (old) => ({ ...(old as CartV1), saved: [] }) },
};

/** A response stand-in: only the token header matters here. */
class Headers {
  token: string | undefined;
  getHeader() {
    return undefined;
  }
  setHeader(name: string, value: unknown) {
    if (name.toLowerCase() === 'x-auth-token') this.token = String(value);
  }
}

describe('attribute schemas: v1 and v2 replicas on one real valkey-server', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  const logger = new RecordingLogger();
  const replica = (cart: AttributeSchema) =>
    new SessionManager({
      client,
      namespace: NS,
      resolver: 'header',
      logger,
      attributes: { cart },
    });
  let v1: SessionManager;
  let v2: SessionManager;

  before(async () => {
    ({ valkey, client } = await startValkey());
    v1 = replica(V1);
    v2 = replica(V2);
  });
  after(async () => {
    client?.disconnect();
    await valkey?.dispose();
  });

  /** One request on `manager`: opens the session of `token`, runs `work`, commits. */
  async function request<T>(
    manager: SessionManager,
    token: string | undefined,
    work: (session: Awaited<ReturnType<SessionManager['open']>>['session']) => Promise<T> | T,
  ): Promise<{ token: string | undefined; result: T }> {
    const opened = await manager.open({
      headers: token === undefined ? {} : { 'x-auth-token': token },
    });
    const result = await work(opened.session);
    const res = new Headers();
    await opened.commit(res);
    return { token: res.token ?? token, result };
  }

  async function storedCart(token: string): Promise<string | null> {
    const keys = new KeyLayout(NS);
    return client.hget(keys.sessionKey(sessionIdOf(token)), keys.attributeField('cart'));
  }

  it('v2 reads a cart v1 wrote, upcast; v1 writes it back keeping saved, still tagged 2', async () => {
    const { token } = await request(v1, undefined, (s) =>
      s.update<CartV1>('cart', () => ({ lines: ['apple'] })),
    );
    assert.ok(token);
    assert.equal(await storedCart(token), '{"lines":["apple"]}', 'v1 adds no tag');

    const seen = await request(v2, token, (s) => s.get<CartV2>('cart'));
    assert.deepEqual(seen.result, { lines: ['apple'], saved: [] });

    await request(v2, token, (s) =>
      s.update<CartV2>('cart', (c) => ({ lines: c?.lines ?? [], saved: ['pear'] })),
    );
    assert.equal(await storedCart(token), '{"@v":2,"lines":["apple"],"saved":["pear"]}');

    // v1 code rebuilds the cart from the fields it knows: `saved` is not among them.
    const v1Read = await request(v1, token, (s) =>
      s.update<CartV1>('cart', (c) => ({ lines: [...(c?.lines ?? []), 'kiwi'] })),
    );
    assert.deepEqual(v1Read.result, { lines: ['apple', 'kiwi'], saved: ['pear'] });
    assert.equal(
      await storedCart(token),
      '{"@v":2,"lines":["apple","kiwi"],"saved":["pear"]}',
      'the v2 field survived the v1 write',
    );
    // set() keeps them too.
    await request(v1, token, (s) => s.set('cart', { lines: [] }));
    assert.equal(await storedCart(token), '{"@v":2,"lines":[],"saved":["pear"]}');
  });

  it('interleaved updates from both versions lose neither an item nor a v2 field', async () => {
    const { token } = await request(v2, undefined, (s) =>
      s.update<CartV2>('cart', () => ({ lines: [], saved: ['fig'] })),
    );
    const items = Array.from({ length: 20 }, (_, i) => `item-${i}`);
    // Concurrent read-modify-writes from both replicas: each retries on the newer value.
    await Promise.all(
      items.map((item, i) =>
        request(i % 2 ? v1 : v2, token, (s) =>
          i % 2
            ? s.update<CartV1>('cart', (c) => ({ lines: [...(c?.lines ?? []), item] }))
            : s.update<CartV2>('cart', (c) => ({
                lines: [...(c?.lines ?? []), item],
                saved: c?.saved ?? [],
              })),
        ),
      ),
    );
    const final = JSON.parse((await storedCart(token as string)) as string) as CartV2;
    assert.deepEqual([...final.lines].sort(), [...items].sort());
    assert.deepEqual(final.saved, ['fig']);
  });

  it('a replica that meets a version newer than it knows answers with it and keeps it', async () => {
    const { token } = await request(v2, undefined, (s) =>
      s.update<CartV2>('cart', () => ({ lines: [], saved: [] })),
    );
    const keys = new KeyLayout(NS);
    await client.hset(
      keys.sessionKey(sessionIdOf(token as string)),
      keys.attributeField('cart'),
      '{"@v":3,"lines":["apple"],"saved":[],"giftNote":"happy birthday"}',
    );
    const read = await request(v2, token, (s) => s.get('cart'));
    assert.deepEqual(read.result, { lines: ['apple'], saved: [], giftNote: 'happy birthday' });
    await request(v2, token, (s) =>
      s.update<CartV2>('cart', (c) => ({ lines: [...(c?.lines ?? []), 'pear'], saved: [] })),
    );
    assert.equal(
      await storedCart(token as string),
      '{"@v":3,"lines":["apple","pear"],"saved":[],"giftNote":"happy birthday"}',
    );
  });

  it('a value an upcaster cannot read is logged and reads as absent; the next write replaces it', async () => {
    const strict = new SessionManager({
      client,
      namespace: NS,
      resolver: 'header',
      logger,
      attributes: {
        cart: {
          version: 2,
          upcasters: {
            1: (old) => {
              if (!Array.isArray((old as CartV1).lines)) throw new TypeError('no lines');
              return { ...(old as CartV1), saved: [] };
            },
          },
        },
      },
    });
    const { token } = await request(v1, undefined, (s) => s.set('cart', 'not a cart'));
    const before = logger.warnings.length;
    const read = await request(strict, token, (s) => s.get('cart'));
    assert.equal(read.result, undefined);
    assert.equal(logger.warnings.length, before + 1);
    await request(strict, token, (s) =>
      s.update<CartV2>('cart', (c) => ({ lines: ['apple'], saved: c?.saved ?? [] })),
    );
    assert.equal(await storedCart(token as string), '{"@v":2,"lines":["apple"],"saved":[]}');
  });
});
