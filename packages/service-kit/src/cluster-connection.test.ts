import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from 'ioredis';
import { waitUntilReady } from '@baton/session';
import { ValkeyCluster } from '@baton/valkey-testing';
import { loadConfig, serviceEnvSchema } from './config.js';
import { valkeyClientFrom, valkeyConnectionFrom } from './session-config.js';

describe('valkeyConnectionFrom on a Valkey Cluster', () => {
  let cluster: ValkeyCluster;
  before(async () => {
    cluster = await ValkeyCluster.start();
  });
  after(() => cluster.dispose());

  const env = () =>
    loadConfig(serviceEnvSchema, {
      INSTANCE_ID: 'cart-1',
      PORT: '3000',
      VALKEY_URL: 'redis://127.0.0.1:1', // only its credentials would be used
      VALKEY_CLUSTER_NODES: cluster.nodeList,
    });

  it('builds an ioredis Cluster from VALKEY_CLUSTER_NODES that reaches every master', async () => {
    const client = valkeyConnectionFrom(env()) as Cluster;
    try {
      assert.equal(client.isCluster, true);
      await waitUntilReady(client, 10_000);
      assert.equal(client.nodes('master').length, 3);
      // Keys in many slots: each goes to its own master, no CROSSSLOT, no MOVED left to the caller.
      const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((key) => client.set(key, key)));
      assert.deepEqual(await Promise.all(keys.map((key) => client.get(key))), keys);
      const perMaster = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
      assert.ok(
        perMaster.every((n) => n > 0),
        `keys on every master: ${perMaster.join(',')}`,
      );
      assert.equal(client.options.redisOptions?.connectionName, 'cart-1');
      assert.equal(client.options.enableOfflineQueue, false, 'fails fast while a master is away');
    } finally {
      client.disconnect();
    }
  });

  it('valkeyClientFrom (typed Redis) refuses VALKEY_CLUSTER_NODES, naming it', () => {
    assert.throws(() => valkeyClientFrom(env()), /VALKEY_CLUSTER_NODES/);
  });
});
