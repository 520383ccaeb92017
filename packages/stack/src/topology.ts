/**
 * The app services of a Baton stack. Each runs as numbered replicas (`cart-1`, `cart-2`, …) that
 * `scale` and `deploy` add and remove; nginx round-robins over the ready ones.
 */
export const SERVICES = ['gateway', 'account', 'cart'] as const;

export type ServiceName = (typeof SERVICES)[number];

/** One replica of a service: `cart-3`. Numbers start at 1. */
export type ReplicaName = `${ServiceName}-${number}`;

/** How many replicas of each service a fresh stack starts. */
export const DEFAULT_REPLICAS = 2;

/** The range `scale` accepts (a 2-core laptop runs 16 Node processes of one service, barely). */
export const MIN_REPLICAS = 1;
export const MAX_REPLICAS = 16;

/** The workspace (`apps/<dir>`) each service runs. */
export const APP_WORKSPACE: Record<ServiceName, 'gateway' | 'account-service' | 'cart-service'> = {
  gateway: 'gateway',
  account: 'account-service',
  cart: 'cart-service',
};

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

/** `prometheus` runs beside the others when Debian's package is installed (see local/prometheus-specs.ts). */
export type ProcessName =
  'valkey' | 'nginx' | 'prometheus' | ReplicaName | SentinelProcessName | ClusterProcessName;

/** The processes of `topology` other than the app replicas, in start order (valkey first, nginx last). */
export function infrastructureOf(topology: Topology): readonly ProcessName[] {
  if (topology === 'sentinel') return ['valkey', ...SENTINEL_PROCESS_NAMES, 'nginx'];
  if (topology === 'cluster') return ['valkey', ...CLUSTER_PROCESS_NAMES, 'nginx'];
  return ['valkey', 'nginx'];
}

export function replicaName(service: ServiceName, n: number): ReplicaName {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`replica number must be >= 1, not ${n}`);
  return `${service}-${n}`;
}

/** `cart-3` → `cart`; anything that is not a replica name (`valkey`, `cart-0`, `cart-x`) → undefined. */
export function serviceOf(name: string): ServiceName | undefined {
  const match = REPLICA_PATTERN.exec(name);
  return match ? (match[1] as ServiceName) : undefined;
}

/** `cart-3` → 3; undefined for anything that is not a replica name. */
export function replicaNumber(name: string): number | undefined {
  const match = REPLICA_PATTERN.exec(name);
  return match ? Number(match[2]) : undefined;
}

export function isReplicaName(name: string): name is ReplicaName {
  return REPLICA_PATTERN.test(name);
}

export function isServiceName(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

export function isSentinelProcessName(name: string): name is SentinelProcessName {
  return (SENTINEL_PROCESS_NAMES as readonly string[]).includes(name);
}

export function isClusterProcessName(name: string): name is ClusterProcessName {
  return (CLUSTER_PROCESS_NAMES as readonly string[]).includes(name);
}

export function isProcessName(name: string): name is ProcessName {
  return (
    name === 'valkey' ||
    name === 'nginx' ||
    name === 'prometheus' ||
    isReplicaName(name) ||
    isSentinelProcessName(name) ||
    isClusterProcessName(name)
  );
}

/**
 * Status order: the infrastructure in start order, then the replicas by service (SERVICES order)
 * and number. A comparator for Array.prototype.sort over the names of one topology.
 */
export function compareProcessNames(topology: Topology): (a: string, b: string) => number {
  const infrastructure = infrastructureOf(topology) as readonly string[];
  const rank = (name: string): [number, number] => {
    const service = serviceOf(name);
    if (service) return [infrastructure.length + SERVICES.indexOf(service), replicaNumber(name)!];
    const index = infrastructure.indexOf(name);
    return [index === -1 ? Number.MAX_SAFE_INTEGER : index, 0];
  };
  return (a, b) => {
    const [ra, na] = rank(a);
    const [rb, nb] = rank(b);
    return ra - rb || na - nb;
  };
}

/** A leading zero would give two names for one replica (`cart-01`, `cart-1`). @private */
const REPLICA_PATTERN = /^(gateway|account|cart)-([1-9][0-9]{0,5})$/;
