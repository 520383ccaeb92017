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

export type ProcessName = (typeof PROCESS_NAMES)[number];

export type AppReplicaName = Exclude<ProcessName, 'valkey' | 'nginx'>;

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
  return (PROCESS_NAMES as readonly string[]).includes(name);
}

export function appReplica(name: ProcessName): AppReplica | undefined {
  return APP_REPLICAS.find((replica) => replica.name === name);
}
