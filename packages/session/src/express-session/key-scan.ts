import type { Cluster, Redis } from 'ioredis';

/** Keys per SCAN call; a hint to the server, not a limit. */
const SCAN_COUNT = 250;

/**
 * Every key matching `pattern`, on every master when `client` is a Cluster (a Cluster's SCAN
 * only sees one node), each with the node connection that holds it so that follow-up commands
 * go straight there. SCAN may return a key twice; it is listed once. `step` runs each SCAN call
 * (the caller bounds each one in time, not the whole listing, which grows with the store).
 */
export async function scanKeys(
  client: Redis | Cluster,
  pattern: string,
  step: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<{ node: Redis; keys: string[] }[]> {
  const nodes = isCluster(client) ? client.nodes('master') : [client];
  return Promise.all(
    nodes.map(async (node) => {
      const keys = new Set<string>();
      let cursor = '0';
      do {
        const from = cursor;
        const [next, batch] = await step(() =>
          node.scan(from, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
        );
        for (const key of batch) keys.add(key);
        cursor = next;
      } while (cursor !== '0');
      return { node, keys: [...keys] };
    }),
  );
}

/** A glob pattern that matches `prefix` literally and then anything. */
export function prefixPattern(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
}

/** @private */
function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as Cluster).isCluster === true;
}
