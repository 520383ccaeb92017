import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { ValkeyProcess } from '@baton/valkey-testing';
import {
  type OpenSession,
  SessionManager,
  createValkeyClient,
  waitUntilReady,
} from '../../src/core/index.js';
import { RecordingLogger, startValkey } from './harness.js';

const NS = 'once';
const CHANNEL = `${NS}:changes`;

describe('update() with publish, updateOnce() and findRecord(), on a real valkey-server', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  let subscriber: Redis;
  const published: string[] = [];

  for (const mode of ['plain', 'indexed'] as const) {
    describe(mode, () => {
      let manager: SessionManager;
      beforeEach(async () => {
        await client.flushall();
        published.length = 0;
        manager = new SessionManager({
          client,
          namespace: NS,
          resolver: 'header',
          logger: new RecordingLogger(),
          ...(mode === 'indexed' ? { indexed: { group: 'test', sweepIntervalMs: 60_000 } } : {}),
        });
      });
      afterEach(() => manager.close());

      /** Opens the session of `token` (or a new one), runs `work`, commits; returns the token. */
      async function request(
        token: string | undefined,
        work: (s: OpenSession['session']) => Promise<unknown>,
      ): Promise<{ token: string | undefined; result: unknown; id: string }> {
        const opened = await manager.open({ headers: token ? { 'x-auth-token': token } : {} });
        const result = await work(opened.session);
        const headers = new Map<string, unknown>();
        await opened.commit({
          getHeader: (n: string) => headers.get(n.toLowerCase()) as string | undefined,
          setHeader: (n: string, v: unknown) => void headers.set(n.toLowerCase(), v),
        });
        const issued = headers.get('x-auth-token') as string | undefined;
        return { token: issued ?? token, result, id: opened.session.id };
      }

      const add = (item: string, name: string) => (s: OpenSession['session']) =>
        s.updateOnce<string[]>(
          'cart',
          { name, ttlMs: 5_000, value: (cart) => JSON.stringify({ cart }) },
          (cart = []) => [...cart, item],
          { publish: CHANNEL },
        );

      it('writes once per record name, keeps the record beside the hash, publishes once', async () => {
        const first = await request(undefined, add('apple', 'k1'));
        assert.deepEqual(first.result, { value: ['apple'] });
        const again = await request(first.token, add('apple', 'k1'));
        assert.deepEqual(again.result, { recorded: '{"cart":["apple"]}' });
        const other = await request(first.token, add('pear', 'k2'));
        assert.deepEqual(other.result, { value: ['apple', 'pear'] });

        const key = `${NS}:sessions:{${first.id}}`;
        assert.equal(await client.hget(key, 'a:cart'), '["apple","pear"]');
        const records = (await client.keys(`${key}:r:*`)).sort();
        assert.deepEqual(records, [`${key}:r:k1`, `${key}:r:k2`]);
        const ttl = await client.pttl(`${key}:r:k1`);
        assert.ok(ttl > 0 && ttl <= 5_000, `record TTL ${ttl}`);
        const found = await request(first.token, (s) => s.findRecord('k2'));
        assert.equal(found.result, '{"cart":["apple","pear"]}');
        const missing = await request(first.token, (s) => s.findRecord('k3'));
        assert.equal(missing.result, undefined);

        await waitFor(() => published.length >= 2);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(published, [first.id, first.id], 'the replay published nothing');
      });

      it('update() publishes only when it writes', async () => {
        const made = await request(undefined, (s) =>
          s.update<number>('n', (n = 0) => n + 1, { publish: CHANNEL }),
        );
        await request(made.token, (s) => s.update<number>('n', (n = 0) => n + 1));
        await waitFor(() => published.length >= 1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(published, [made.id]);
      });
    });
  }

  before(async () => {
    ({ valkey, client } = await startValkey());
    subscriber = createValkeyClient({ url: valkey.url });
    subscriber.on('message', (_channel: string, message: string) => published.push(message));
    await waitUntilReady(subscriber);
    await subscriber.subscribe(CHANNEL);
  });
  after(async () => {
    subscriber?.disconnect();
    client?.disconnect();
    await valkey?.dispose();
  });
});

/** @private */
async function waitFor(probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
