import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ValkeyCluster } from './valkey-cluster.js';

describe('ValkeyCluster', () => {
  it('starts 3 masters that share the 16384 slots, answers on every node, and leaves no process', async () => {
    const started = performance.now();
    const cluster = await ValkeyCluster.start();
    console.log(`cluster of 3 up in ${Math.round(performance.now() - started)} ms`);
    const pids = cluster.pids;
    try {
      assert.equal(pids.length, 3);
      assert.match(cluster.nodeList, /^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
      for (const { port } of cluster.addresses) {
        const info = await cluster.cli(port, 'CLUSTER', 'INFO');
        assert.match(info, /cluster_state:ok/);
        assert.match(info, /cluster_slots_assigned:16384/);
        assert.match(info, /cluster_known_nodes:3/);
      }
      const masters = (await cluster.cli(cluster.addresses[0]!.port, 'CLUSTER', 'NODES'))
        .split('\n')
        .filter((line) => line.includes('master'));
      assert.equal(masters.length, 3, 'three masters, each with slots');
      // A key is served by the node that owns its slot; the others redirect (MOVED).
      const replies = await Promise.all(
        cluster.addresses.map(({ port }) => cluster.cli(port, 'SET', 'k', 'v')),
      );
      assert.equal(replies.filter((reply) => reply.trim() === 'OK').length, 1);
    } finally {
      await cluster.dispose();
    }
    for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `pid ${pid} is gone`);
  });

  it('refuses fewer than 3 masters', async () => {
    await assert.rejects(ValkeyCluster.start({ masters: 2 }), RangeError);
  });
});
