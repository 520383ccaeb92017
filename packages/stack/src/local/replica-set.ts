import { StackError } from '../errors.js';
import type { StackEvent } from '../stack-driver.js';
import {
  DEFAULT_REPLICAS,
  SERVICES,
  compareProcessNames,
  replicaName,
  replicaNumber,
  serviceOf,
  type ReplicaName,
  type ServiceName,
} from '../topology.js';
import { writeNginxConfig } from './nginx-config.js';
import { reloadNginx } from './nginx-reload.js';
import { writePrometheusTargets } from './prometheus-specs.js';
import type { StackPaths } from './paths.js';
import { newLinks } from './fault-links.js';
import { freePortExcept, portsOf } from './ports.js';
import { isRunning } from './process-control.js';
import { readState, updateState, type ReplicaRecord, type StackState } from './state-store.js';

type Replicas = Partial<Record<ReplicaName, ReplicaRecord>>;

/** What the replica set asks of the driver, which owns starting and stopping processes. */
export interface ReplicaProcesses {
  /** Starts the replica as state.json now describes it and waits until it is ready. */
  start(name: ReplicaName): Promise<void>;
  /** Graceful stop (SIGTERM: the app drains); nothing when it is not running. */
  stop(name: ReplicaName): Promise<void>;
  /** The nginx binary, to check a regenerated config before the reload. */
  nginxBinary(): string;
  emit(event: StackEvent): void;
}

/**
 * The replicas of a local stack as state.json records them, with nginx following them: a replica
 * is routed (listed in its upstream) only while ready, and nginx is reloaded on every change of
 * that list. Debian's nginx 1.22 has no `resolve`, so this is how the local stack does what
 * compose's DNS does.
 */
export class LocalReplicaSet {
  constructor(
    private readonly paths: StackPaths,
    private readonly processes: ReplicaProcesses,
  ) {}

  /** Adds `names` on new free ports, starts them, and routes them once all are ready. */
  async add(names: ReplicaName[], version: string): Promise<void> {
    const state = await this.#state();
    const taken = portsOf(state);
    const added: Replicas = {};
    for (const name of names) {
      added[name] = await newReplica(state, taken, version, false);
    }
    await this.#change((replicas) => ({ ...replicas, ...added }));
    try {
      await settleAll(names.map((name) => this.processes.start(name)));
    } catch (error) {
      await this.#forget(names);
      throw error;
    }
    await this.route(names, true);
  }

  /** Takes `names` out of nginx first, then drains and stops them, and forgets them. */
  async remove(names: ReplicaName[]): Promise<void> {
    await this.route(names, false);
    await this.#forget(names);
  }

  /** Out of nginx, stopped, started on a new free port, and routed again once ready. */
  async move(name: ReplicaName): Promise<void> {
    await this.route([name], false);
    await this.processes.stop(name);
    const state = await this.#state();
    const before = state.replicas[name]!;
    const port = await freePortExcept(portsOf(state));
    await this.#change((replicas) => ({ ...replicas, [name]: { ...before, port } }));
    this.processes.emit({ name, event: 'info', detail: `port ${before.port} → ${port}` });
    await this.processes.start(name);
    await this.route([name], true);
  }

  /**
   * Puts `names` into nginx's upstreams or takes them out: rewrites the config and reloads nginx,
   * resolving once no worker with the old list is left (a stopped nginx reads it at its start).
   */
  async route(names: ReplicaName[], routed: boolean): Promise<void> {
    const state = await this.#change((replicas) => {
      const next = { ...replicas };
      for (const name of names) next[name] = { ...next[name]!, routed };
      return next;
    });
    await writeNginxConfig(this.paths, state);
    await writePrometheusTargets(this.paths, state);
    const nginx = state.processes.nginx;
    if (!nginx || !isRunning(nginx)) return;
    await reloadNginx(nginx, this.processes.nginxBinary(), this.paths);
    const detail = `reloaded: ${names.join(', ')} ${routed ? 'in' : 'out'}`;
    this.processes.emit({ name: 'nginx', event: 'info', detail });
  }

  /** Stops `names` (if they run) and removes them from the state. @private */
  async #forget(names: ReplicaName[]): Promise<void> {
    await settleAll(names.map((name) => this.processes.stop(name)));
    await updateState(this.paths, (current) => {
      const base = current!;
      const replicas = { ...base.replicas };
      const processes = { ...base.processes };
      for (const name of names) {
        delete replicas[name];
        delete processes[name];
      }
      return { ...base, replicas, processes };
    });
  }

  /** @private */
  async #change(change: (replicas: StackState['replicas']) => Replicas): Promise<StackState> {
    const next = await updateState(this.paths, (current) => {
      if (!current) throw new StackError('STACK_NOT_UP', 'the stack was stopped meanwhile');
      return { ...current, replicas: change(current.replicas) };
    });
    return next!;
  }

  /** @private */
  async #state(): Promise<StackState> {
    const state = await readState(this.paths);
    if (!state) throw new StackError('STACK_NOT_UP', 'the stack was stopped meanwhile');
    return state;
  }
}

/** The replicas in `state` (of `service`, when given), by service and number. */
export function replicasOf(state: StackState, service?: ServiceName): ReplicaName[] {
  return (Object.keys(state.replicas) as ReplicaName[])
    .filter((name) => service === undefined || serviceOf(name) === service)
    .sort(compareProcessNames('standalone'));
}

/** The version of `service`'s highest-numbered replica: the last one deployed. */
export function newestVersion(state: StackState, service: ServiceName): string | undefined {
  const newest = replicasOf(state, service).at(-1);
  return newest ? state.replicas[newest]!.version : undefined;
}

/** The `count` lowest numbers `service` does not use, as names (what `scale` adds). */
export function unusedNames(state: StackState, service: ServiceName, count: number): ReplicaName[] {
  const used = new Set(replicasOf(state, service).map((name) => replicaNumber(name)!));
  const names: ReplicaName[] = [];
  for (let n = 1; names.length < count; n++) if (!used.has(n)) names.push(replicaName(service, n));
  return names;
}

/** The name above every number `service` uses (what `deploy` starts: never an old name). */
export function nextName(state: StackState, service: ServiceName): ReplicaName {
  const used = replicasOf(state, service).map((name) => replicaNumber(name)!);
  return replicaName(service, Math.max(0, ...used) + 1);
}

/**
 * A fresh stack's replicas: DEFAULT_REPLICAS of each service on free ports, all running
 * `version`. Routed from the start: nginx starts before them and skips a refused connect.
 */
export async function defaultReplicas(state: StackState, version: string): Promise<Replicas> {
  const taken = portsOf(state);
  const replicas: Replicas = {};
  for (const name of defaultReplicaNames()) {
    replicas[name] = await newReplica(state, taken, version, true);
  }
  return replicas;
}

/** A replica on a new free port, with fault-proxy links when the stack has the proxy. @private */
async function newReplica(
  state: StackState,
  taken: Set<number>,
  version: string,
  routed: boolean,
): Promise<ReplicaRecord> {
  const port = await freePortExcept(taken);
  const links = await newLinks(state, taken);
  return { port, version, routed, ...(links ? { links } : {}) };
}

/** gateway-1, gateway-2, account-1, …: the replicas a fresh stack starts, in status order. */
export function defaultReplicaNames(): ReplicaName[] {
  return SERVICES.flatMap((service) =>
    Array.from({ length: DEFAULT_REPLICAS }, (_, index) => replicaName(service, index + 1)),
  );
}

/** Like Promise.all, but waits for every promise before rethrowing the first failure. */
export async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
