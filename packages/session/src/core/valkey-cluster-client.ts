import { Cluster, type ClusterOptions } from 'ioredis';

export interface ValkeyClusterClientOptions {
  /** Any of the cluster's nodes (one reachable node is enough; give all for start-up). */
  nodes: { host: string; port: number }[];
  /** AUTH password, the same on every node. */
  password?: string;
  /** ACL user to AUTH as. */
  username?: string;
  /** How long one command may take before it fails with a timeout, in ms. @default 500 */
  commandTimeoutMs?: number;
  /** Shows in `CLIENT LIST` on every node. */
  connectionName?: string;
}

/**
 * An ioredis `Cluster` set up for a session store, like `createValkeyClient`: no offline
 * queue and a short command timeout on every node, so a request fails fast (503) instead of
 * hanging while a master is away; ioredis follows MOVED/ASK and refreshes the slot map itself.
 * Every Baton script touches one slot per call, so no command ever meets CROSSSLOT.
 * `waitUntilReady(client)` works on it as on a `Redis`.
 */
export function createValkeyClusterClient(options: ValkeyClusterClientOptions): Cluster {
  const clusterOptions: ClusterOptions = {
    enableOfflineQueue: false,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    // A master failing over answers CLUSTERDOWN / TRYAGAIN for a moment: retry shortly, once.
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    redisOptions: {
      commandTimeout: options.commandTimeoutMs ?? 500,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.connectionName !== undefined ? { connectionName: options.connectionName } : {}),
    },
  };
  return new Cluster(options.nodes, clusterOptions);
}
