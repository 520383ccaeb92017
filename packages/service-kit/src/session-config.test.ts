import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitUntilReady } from '@baton/session';
import { ValkeySentinelGroup } from '@baton/valkey-testing';
import { loadConfig, serviceEnvSchema } from './config.js';
import { durableWritesFrom, valkeyClientFrom } from './session-config.js';

describe('valkeyClientFrom on Sentinel', () => {
  let group: ValkeySentinelGroup;
  before(async () => {
    group = await ValkeySentinelGroup.start();
  });
  after(() => group.dispose());

  it('finds the primary through the sentinels and follows it after a failover', async () => {
    const env = loadConfig(serviceEnvSchema, {
      INSTANCE_ID: 'cart-1',
      PORT: '3000',
      VALKEY_URL: 'redis://127.0.0.1:1', // not used in Sentinel mode
      VALKEY_SENTINELS: group.sentinelList,
      VALKEY_SENTINEL_NAME: group.name,
    });
    const client = valkeyClientFrom(env);
    try {
      await waitUntilReady(client);
      await client.set('before', '1');
      assert.equal(await client.wait(1, 2_000), 1, 'replicated before the crash');
      const report = await group.killPrimary();
      const started = performance.now();
      // Commands fail fast (no offline queue) until the client has found the new primary.
      let failures = 0;
      for (;;) {
        try {
          await client.set('after', '1');
          break;
        } catch (err) {
          failures++;
          assert.ok(performance.now() - started < 20_000, `still failing: ${String(err)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      console.log(
        `sentinel client: promoted after ${report.promotedAfterMs} ms, first write ${Math.round(performance.now() - started)} ms later, ${failures} failed attempts`,
      );
      assert.equal(await client.get('before'), '1', 'the acknowledged-and-replicated key survived');
      const role = (await client.call('ROLE')) as [string];
      assert.equal(role[0], 'master');
      const [, port] = (await client.config('GET', 'port')) as [string, string];
      assert.equal(Number(port), report.newPrimaryPort, 'connected to the promoted replica');
    } finally {
      client.disconnect();
    }
  });
});

describe('durableWritesFrom', () => {
  const base = { INSTANCE_ID: 'cart-1', PORT: '3000' };

  it('is off by default and reads replicas and timeout when on', () => {
    assert.deepEqual(durableWritesFrom(loadConfig(serviceEnvSchema, base)), {});
    const env = loadConfig(serviceEnvSchema, {
      ...base,
      SESSION_DURABLE_WRITES_REPLICAS: '1',
      SESSION_DURABLE_WRITES_TIMEOUT_MS: '250',
    });
    assert.deepEqual(durableWritesFrom(env), { durableWrites: { replicas: 1, timeoutMs: 250 } });
    assert.throws(
      () => loadConfig(serviceEnvSchema, { ...base, SESSION_DURABLE_WRITES_REPLICAS: '-1' }),
      /SESSION_DURABLE_WRITES_REPLICAS/,
    );
  });
});
