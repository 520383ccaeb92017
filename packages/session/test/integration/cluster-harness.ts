import type { Cluster, Redis } from 'ioredis';
import { ValkeyCluster } from '@baton/valkey-testing';
import {
  type IndexedOptions,
  SessionManager,
  createValkeyClusterClient,
  waitUntilReady,
} from '../../src/core/index.js';
import { RecordingLogger } from './harness.js';

export const CLUSTER_NS = 'cl';

/** A real 3-master cluster and a client on it. */
export async function startCluster(
  args?: string[],
): Promise<{ cluster: ValkeyCluster; client: Cluster }> {
  const started = performance.now();
  const cluster = await ValkeyCluster.start(args ? { args } : {});
  const client = await connect(cluster);
  console.log(`# 3-master cluster ready in ${Math.round(performance.now() - started)} ms`);
  return { cluster, client };
}

export async function connect(cluster: ValkeyCluster): Promise<Cluster> {
  const client = createValkeyClusterClient({ nodes: cluster.addresses, commandTimeoutMs: 2_000 });
  await waitUntilReady(client, 10_000);
  return client;
}

/** Deletes every key on every master (FLUSHALL is per node on a Cluster). */
export async function flushCluster(client: Cluster): Promise<void> {
  await Promise.all(client.nodes('master').map((node) => node.flushall()));
}

/** How many keys matching `pattern` each master holds, by its port. */
export async function keysPerMaster(
  client: Cluster,
  pattern: string,
): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  await Promise.all(
    client.nodes('master').map(async (node: Redis) => {
      counts.set(Number(node.options.port), (await node.keys(pattern)).length);
    }),
  );
  return counts;
}

/** The master port that owns `key`'s slot. */
export async function masterOf(client: Cluster, key: string): Promise<number> {
  const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
  const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no master owns slot ${slot}`);
  return Number(range[2][1]);
}

/** One application node on the cluster: its own Cluster client and manager. */
export interface ClusterNode {
  client: Cluster;
  manager: SessionManager;
  logger: RecordingLogger;
  stop(): Promise<void>;
}

export async function startClusterNode(
  cluster: ValkeyCluster,
  indexed: IndexedOptions | false = {},
  maxInactiveIntervalMs?: number,
): Promise<ClusterNode> {
  const client = await connect(cluster);
  const logger = new RecordingLogger();
  const manager = new SessionManager({
    client,
    namespace: CLUSTER_NS,
    resolver: 'header',
    logger,
    ...(indexed ? { indexed: { sweepIntervalMs: 60_000, ...indexed } } : {}),
    ...(maxInactiveIntervalMs !== undefined ? { maxInactiveIntervalMs } : {}),
  });
  return {
    client,
    manager,
    logger,
    async stop() {
      await manager.close();
      client.disconnect();
    },
  };
}
