import type { Cluster, Redis, RedisOptions } from 'ioredis';

/** What a long-lived background connection of indexed mode changes from the application's. */
export interface BackgroundConnectionOptions {
  connectionName: string;
  /** For blocking reads: how long a BLOCK may outlast its own timeout before the socket is dead. */
  blockingTimeout?: number;
}

/**
 * A new connection like `client` for background work (the blocking event reader): it waits for
 * the server rather than failing (offline queue on, no command timeout, unlimited retries), since
 * it lives as long as the manager. On a Cluster it is a Cluster too, so it follows the slot of
 * the stream wherever it moves.
 */
export function duplicateForBackground(
  client: Redis | Cluster,
  options: BackgroundConnectionOptions,
): Redis | Cluster {
  const overrides: Partial<RedisOptions> = {
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    connectionName: options.connectionName,
    ...(options.blockingTimeout !== undefined
      ? { blockingTimeout: options.blockingTimeout, blockingTimeoutGrace: 2_000 }
      : {}),
  };
  if (isCluster(client)) {
    return client.duplicate([], {
      enableOfflineQueue: true,
      redisOptions: { ...client.options.redisOptions, ...overrides },
    });
  }
  return client.duplicate({ enableOfflineQueue: true, ...overrides });
}

/**
 * The servers that publish keyspace notifications and take CONFIG: the client itself, or every
 * master of a Cluster (notifications are local to the node whose key expired). Empty while a
 * Cluster client has not learnt its topology yet.
 */
export function mastersOf(client: Redis | Cluster): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

export function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as Cluster).isCluster === true;
}
