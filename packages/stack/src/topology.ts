/** The eight processes of a Baton stack, in start order. */
export const PROCESS_NAMES = [
  'valkey',
  'nginx',
  'gateway-1',
  'gateway-2',
  'account-1',
  'account-2',
  'cart-1',
  'cart-2',
] as const;

/**
 * How Valkey runs under the apps. `standalone`: one valkey-server. `sentinel`: that server is the
 * primary, plus one replica and three sentinels; the apps ask the sentinels for the primary.
 * `cluster`: that server and two more are the three masters of a Valkey Cluster.
 */
export const TOPOLOGIES = ['standalone', 'sentinel', 'cluster'] as const;

export type Topology = (typeof TOPOLOGIES)[number];

/** What the sentinel topology adds: a replica of `valkey` and three sentinels watching both. */
export const SENTINEL_PROCESS_NAMES = [
  'valkey-replica',
  'sentinel-1',
  'sentinel-2',
  'sentinel-3',
] as const;

export type SentinelProcessName = (typeof SENTINEL_PROCESS_NAMES)[number];

/** What the cluster topology adds: two more masters beside `valkey`. */
export const CLUSTER_PROCESS_NAMES = ['valkey-2', 'valkey-3'] as const;

export type ClusterProcessName = (typeof CLUSTER_PROCESS_NAMES)[number];

export type ProcessName =
  (typeof PROCESS_NAMES)[number] | SentinelProcessName | ClusterProcessName | ReplicaName;

export type AppReplicaName = Exclude<(typeof PROCESS_NAMES)[number], 'valkey' | 'nginx'>;

/** The processes of a stack of `topology`, in start order (stop order is the reverse, apps first). */
export function processNamesOf(topology: Topology): readonly ProcessName[] {
  const [valkey, ...rest] = PROCESS_NAMES;
  if (topology === 'sentinel') return [valkey, ...SENTINEL_PROCESS_NAMES, ...rest];
  if (topology === 'cluster') return [valkey, ...CLUSTER_PROCESS_NAMES, ...rest];
  return PROCESS_NAMES;
}

export function isSentinelProcessName(name: string): name is SentinelProcessName {
  return (SENTINEL_PROCESS_NAMES as readonly string[]).includes(name);
}

export function isClusterProcessName(name: string): name is ClusterProcessName {
  return (CLUSTER_PROCESS_NAMES as readonly string[]).includes(name);
}

/** An app replica: which workspace it runs (`apps/<app>`) and which replica keeps its service up. */
export interface AppReplica {
  readonly name: AppReplicaName;
  readonly app: 'gateway' | 'account-service' | 'cart-service';
  readonly sibling: AppReplicaName;
}

export const APP_REPLICAS: readonly AppReplica[] = [
  { name: 'gateway-1', app: 'gateway', sibling: 'gateway-2' },
  { name: 'gateway-2', app: 'gateway', sibling: 'gateway-1' },
  { name: 'account-1', app: 'account-service', sibling: 'account-2' },
  { name: 'account-2', app: 'account-service', sibling: 'account-1' },
  { name: 'cart-1', app: 'cart-service', sibling: 'cart-2' },
  { name: 'cart-2', app: 'cart-service', sibling: 'cart-1' },
];

export function isProcessName(name: string): name is ProcessName {
  return (
    (PROCESS_NAMES as readonly string[]).includes(name) ||
    isSentinelProcessName(name) ||
    isClusterProcessName(name)
  );
}

export function appReplica(name: ProcessName): AppReplica | undefined {
  return APP_REPLICAS.find((replica) => replica.name === name);
}

/** The three app tiers; each runs as numbered replicas (`cart-1`, `cart-2`, …). */
export const SERVICES = ['gateway', 'account', 'cart'] as const;

export type ServiceName = (typeof SERVICES)[number];

export type ReplicaName = `${ServiceName}-${number}`;

/** `cart-3` → `cart`; anything that is not a replica's name → undefined. */
export function serviceOf(name: string): ServiceName | undefined {
  const match = /^(gateway|account|cart)-[1-9]\d*$/.exec(name);
  return match ? (match[1] as ServiceName) : undefined;
}

export function replicaName(service: ServiceName, n: number): ReplicaName {
  return `${service}-${n}`;
}
