import { mkdir } from 'node:fs/promises';
import { StackError } from '../errors.js';
import type { ResolvedStackOptions } from '../options.js';
import type { ProcessStatus, StackDriver, StackEvent } from '../stack-driver.js';
import {
  APP_WORKSPACE,
  DEFAULT_REPLICAS,
  MAX_REPLICAS,
  MIN_REPLICAS,
  SERVICES,
  compareProcessNames,
  infrastructureOf,
  replicaName,
  replicaNumber,
  serviceOf,
  type ProcessName,
  type ReplicaName,
  type ServiceName,
  type Topology,
} from '../topology.js';
import { buildApp } from '../local/app-build.js';
import { findBinaries, type Binaries } from '../local/binaries.js';
import { clusterTopology } from '../local/cluster-specs.js';
import { lastLogLine } from '../local/log-tail.js';
import { writeNginxConfig } from '../local/nginx-config.js';
import { reloadNginx } from '../local/nginx-reload.js';
import { stackPaths, type StackPaths } from '../local/paths.js';
import { freePortExcept, planPorts, portsOf } from '../local/ports.js';
import {
  isRunning,
  killGroup,
  signalProcess,
  spawnDetached,
  waitForExit,
} from '../local/process-control.js';
import { stopSignal, type ProcessSpec } from '../local/process-spec.js';
import { assertBuilt, processSpec } from '../local/process-specs.js';
import { waitUntil } from '../local/probes.js';
import { sentinelTopology } from '../local/sentinel-specs.js';
import { standaloneTopology } from '../local/standalone-specs.js';
import {
  readState,
  updateState,
  type ProcessRecord,
  type ReplicaRecord,
  type StackState,
} from '../local/state-store.js';
import type { ValkeyTopology } from '../local/valkey-topology.js';

/** How long a SIGKILLed process may take to disappear. */
const KILL_WAIT_MS = 5_000;

/** What a replica reports as its build when nobody chose one (BUILD_VERSION unset at `up`). */
const DEFAULT_VERSION = 'dev';

/** The driver picks the Valkey topology; the topology modules know nothing of each other. */
const VALKEY_TOPOLOGIES: Record<Topology, ValkeyTopology> = {
  standalone: standaloneTopology,
  sentinel: sentinelTopology,
  cluster: clusterTopology,
};

/**
 * Runs the stack as local processes: the system's valkey-server and nginx, and `node
 * apps/<app>/dist/src/main.js` once per replica, all on 127.0.0.1, each in its own process group
 * and recorded in `<stateDir>/state.json` so that later invocations find them again. nginx (1.22,
 * no `resolve`) lists the routed replicas' ports and is reloaded whenever that list changes.
 */
export class LocalDriver implements StackDriver {
  readonly #options: ResolvedStackOptions;
  readonly #paths: StackPaths;
  #binaries: Binaries | undefined;

  constructor(options: ResolvedStackOptions) {
    this.#options = options;
    this.#paths = stackPaths(options.root, options.stateDir);
  }

  async up(): Promise<void> {
    this.#binaries ??= findBinaries();
    // Fail before anything starts rather than with half a stack.
    await Promise.all(SERVICES.map((s) => assertBuilt(this.#paths.appMain(APP_WORKSPACE[s]))));
    const state = await this.#prepareState();
    const valkey = VALKEY_TOPOLOGIES[topologyOf(state)];
    // Valkey first (in the sentinel topology: primary, replica, then the sentinels), then nginx.
    for (const name of valkey.processes) await this.#ensureStarted(name);
    await valkey.afterStart(state);
    await this.#ensureStarted('nginx');
    await settleAll(replicasOf(await this.#readState()).map((name) => this.#ensureStarted(name)));
  }

  async down(): Promise<void> {
    const state = await readState(this.#paths);
    if (!state) return;
    // Apps first (they drain against a live Valkey and nginx), the store last; sentinels stop
    // before the servers they watch, so none starts a failover while Valkey stops.
    await settleAll(replicasOf(state).map((name) => this.#stop(name)));
    await this.#stop('nginx');
    for (const name of [...VALKEY_TOPOLOGIES[topologyOf(state)].processes].reverse()) {
      await this.#stop(name);
    }
    await updateState(this.#paths, () => null);
  }

  async status(): Promise<ProcessStatus[]> {
    const state = await readState(this.#paths);
    const topology = state ? topologyOf(state) : this.#options.topology;
    // A stack that is not up lists what `up` would start.
    const replicas = state
      ? replicasOf(state)
      : SERVICES.flatMap((s) => numbers(DEFAULT_REPLICAS).map((n) => replicaName(s, n)));
    return [...infrastructureOf(topology), ...replicas].map((name) => {
      const record = state?.processes[name];
      const running = record !== undefined && isRunning(record);
      const port = this.#portOf(name, state);
      return {
        name,
        service: serviceOf(name) ?? null,
        pid: running ? record.pid : null,
        port,
        address: port === null ? null : `127.0.0.1:${port}`,
        state: running ? 'running' : 'stopped',
      };
    });
  }

  async restart(name: ProcessName): Promise<void> {
    await this.#requireState(name);
    await this.#stop(name);
    await this.#ensureStarted(name);
  }

  async kill(name: ProcessName): Promise<void> {
    const record = (await this.#requireState(name)).processes[name];
    if (!record || !isRunning(record)) return;
    this.#emit({ name, event: 'stopping', pid: record.pid, detail: 'SIGKILL' });
    killGroup(record);
    if (!(await waitForExit(record, KILL_WAIT_MS))) throw this.#stopTimeout(name, record);
    this.#emit({ name, event: 'exited', pid: record.pid, detail: 'SIGKILL' });
  }

  async start(name: ProcessName): Promise<void> {
    await this.#requireState(name);
    await this.#ensureStarted(name);
  }

  async waitReady(name: ProcessName): Promise<void> {
    const record = (await this.#requireState(name)).processes[name];
    if (!record || !isRunning(record)) {
      throw new StackError(
        'STACK_NOT_READY',
        `${name} is not running; see ${this.#paths.log(name)}`,
      );
    }
    await this.#awaitReady(name, record);
  }

  async scale(service: ServiceName, replicas: number): Promise<void> {
    assertReplicaCount(replicas);
    const state = await this.#requireUp();
    const current = replicasOf(state, service);
    // The lowest numbers stay (and the lowest free ones are added), so names stay short.
    const kept = current.slice(0, replicas);
    await settleAll(kept.map((name) => this.#ensureStarted(name)));
    if (replicas < current.length) await this.#retire(current.slice(replicas));
    if (replicas > current.length) {
      const taken = new Set(current.map((name) => replicaNumber(name)!));
      const added = numbers(MAX_REPLICAS * 2)
        .filter((n) => !taken.has(n))
        .slice(0, replicas - current.length)
        .map((n) => replicaName(service, n));
      await this.#launch(added, newestVersion(state, service) ?? this.#defaultVersion(state));
    }
  }

  async deploy(service: ServiceName, options: { version: string }): Promise<void> {
    const workspace = APP_WORKSPACE[service];
    this.#emit({
      name: 'stack',
      event: 'info',
      detail: `building ${workspace} (${options.version})`,
    });
    await buildApp(this.#paths, workspace);
    for (const old of replicasOf(await this.#requireUp(), service)) {
      // Start-first: the new replica (above every number in use) serves before the old one leaves.
      const inUse = replicasOf(await this.#readState(), service).map((n) => replicaNumber(n)!);
      const highest = Math.max(0, ...inUse);
      await this.#launch([replicaName(service, highest + 1)], options.version);
      await this.#retire([old]);
    }
  }

  async recreate(name: ReplicaName): Promise<void> {
    const state = await this.#requireState(name);
    const before = state.replicas[name]!;
    await this.#route([name], false);
    await this.#stop(name);
    const port = await freePortExcept(portsOf(await this.#readState()));
    await this.#changeReplicas((replicas) => ({ ...replicas, [name]: { ...before, port } }));
    this.#emit({ name, event: 'info', detail: `recreated: port ${before.port} → ${port}` });
    await this.#ensureStarted(name);
    await this.#route([name], true);
  }

  /** Adds `names` on new free ports, starts them, and routes them once all are ready. @private */
  async #launch(names: ReplicaName[], version: string): Promise<void> {
    const taken = portsOf(await this.#readState());
    const added: Partial<Record<ReplicaName, ReplicaRecord>> = {};
    for (const name of names)
      added[name] = { port: await freePortExcept(taken), version, routed: false };
    await this.#changeReplicas((replicas) => ({ ...replicas, ...added }));
    try {
      await settleAll(names.map((name) => this.#ensureStarted(name)));
    } catch (error) {
      await this.#forget(names);
      throw error;
    }
    await this.#route(names, true);
  }

  /** Takes `names` out of nginx, then drains and stops them and forgets them. @private */
  async #retire(names: ReplicaName[]): Promise<void> {
    await this.#route(names, false);
    await settleAll(names.map((name) => this.#stop(name)));
    await this.#forget(names);
  }

  /** Stops `names` (if they run) and removes them from the state. @private */
  async #forget(names: ReplicaName[]): Promise<void> {
    await settleAll(names.map((name) => this.#stop(name)));
    await updateState(this.#paths, (current) => {
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

  /**
   * Puts `names` into nginx's upstreams or takes them out: rewrites the config and reloads nginx,
   * resolving once no worker with the old list is left. @private
   */
  async #route(names: ReplicaName[], routed: boolean): Promise<void> {
    const state = await this.#changeReplicas((replicas) => {
      const next = { ...replicas };
      for (const name of names) next[name] = { ...next[name]!, routed };
      return next;
    });
    await writeNginxConfig(this.#paths, state);
    const nginx = state.processes.nginx;
    if (!nginx || !isRunning(nginx)) return; // its next start reads the new file
    this.#binaries ??= findBinaries();
    await reloadNginx(nginx, this.#binaries.nginx, this.#paths);
    const verb = routed ? 'in' : 'out';
    this.#emit({ name: 'nginx', event: 'info', detail: `reloaded: ${names.join(', ')} ${verb}` });
  }

  /** @private */
  async #changeReplicas(
    change: (replicas: StackState['replicas']) => Partial<Record<ReplicaName, ReplicaRecord>>,
  ): Promise<StackState> {
    const next = await updateState(this.#paths, (current) => {
      if (!current) throw new StackError('STACK_NOT_UP', 'the stack was stopped meanwhile');
      return { ...current, replicas: change(current.replicas) };
    });
    return next!;
  }

  /** Starts `name` unless it runs already, then waits until it is ready. @private */
  async #ensureStarted(name: ProcessName): Promise<void> {
    // Fresh state: another invocation may have started or replaced it, or moved its port.
    const state = await this.#readState();
    let record = state.processes[name];
    if (!record || !isRunning(record)) {
      const spec = this.#spec(name, state);
      await spec.prepare();
      await mkdir(this.#paths.logsDir, { recursive: true });
      this.#emit({ name, event: 'starting', port: spec.port });
      const started = await spawnDetached(spec);
      record = started;
      await updateState(this.#paths, (current) => {
        const base = current ?? state;
        return { ...base, processes: { ...base.processes, [name]: started } };
      });
    }
    await this.#awaitReady(name, record);
  }

  /** @private */
  async #awaitReady(name: ProcessName, record: ProcessRecord): Promise<void> {
    const spec = this.#spec(name, await this.#readState());
    const timeoutMs = this.#options.readyTimeoutMs;
    const outcome = await waitUntil(spec.ready, () => isRunning(record), timeoutMs);
    if (outcome !== 'ready') {
      const log = this.#paths.log(name);
      const last = lastLogLine(log);
      const why =
        outcome === 'exited' ? 'exited while starting' : `not ready after ${timeoutMs / 1000} s`;
      throw new StackError(
        'STACK_NOT_READY',
        `${name} ${why}; see ${log}${last ? ` (last line: ${last})` : ''}`,
      );
    }
    this.#emit({ name, event: 'ready', pid: record.pid, port: spec.port });
  }

  /** Graceful stop, SIGKILL after stopTimeoutMs; does nothing when it is not running. @private */
  async #stop(name: ProcessName): Promise<void> {
    const record = (await readState(this.#paths))?.processes[name];
    if (!record || !isRunning(record)) return;
    const signal = stopSignal(name);
    this.#emit({ name, event: 'stopping', pid: record.pid, detail: signal });
    signalProcess(record, signal);
    if (!(await waitForExit(record, this.#options.stopTimeoutMs))) {
      this.#emit({
        name,
        event: 'info',
        pid: record.pid,
        detail: `no exit after ${signal}: SIGKILL`,
      });
      killGroup(record);
      if (!(await waitForExit(record, KILL_WAIT_MS))) throw this.#stopTimeout(name, record);
    }
    // A leader that exited can leave group members behind (nginx workers after a killed master).
    killGroup(record);
    this.#emit({ name, event: 'stopped', pid: record.pid });
  }

  /** The state to reuse when some process still runs, else a fresh one with new free ports. @private */
  async #prepareState(): Promise<StackState> {
    const existing = await readState(this.#paths);
    const anyRunning = Object.values(existing?.processes ?? {}).some((record) =>
      isRunning(record!),
    );
    const { topology } = this.#options;
    if (existing && anyRunning) {
      if (topologyOf(existing) === topology) return existing;
      throw new StackError(
        'STACK_OPTIONS_INVALID',
        `a ${topologyOf(existing)} stack is running in ${this.#paths.stateDir}; stop it (npm run stack -- down) before starting a ${topology} one`,
      );
    }
    const ports = await planPorts(this.#options.edgePort, this.#options.valkeyPort, topology);
    const fresh: StackState = {
      version: 2,
      topology,
      ports,
      replicas: {},
      env: this.#options.env,
      processes: {},
    };
    const taken = portsOf(fresh);
    const version = this.#defaultVersion(fresh);
    const replicas: Partial<Record<ReplicaName, ReplicaRecord>> = {};
    // Routed from the start: nginx starts before them and skips a refused connect (max_fails=0).
    for (const service of SERVICES) {
      for (const n of numbers(DEFAULT_REPLICAS)) {
        replicas[replicaName(service, n)] = {
          port: await freePortExcept(taken),
          version,
          routed: true,
        };
      }
    }
    const state = { ...fresh, replicas };
    await updateState(this.#paths, () => state);
    return state;
  }

  /** @private */
  async #readState(): Promise<StackState> {
    const state = await readState(this.#paths);
    if (!state) {
      throw new StackError(
        'STACK_NOT_UP',
        `no stack state in ${this.#paths.stateDir}; start the stack first (npm run stack -- up)`,
      );
    }
    return state;
  }

  /** The state of a stack that was started, and nginx of it running (scale, deploy need it). @private */
  async #requireUp(): Promise<StackState> {
    return this.#requireState('nginx');
  }

  /** The state of the stack that was started, checking that `name` belongs to it. @private */
  async #requireState(name: ProcessName): Promise<StackState> {
    const state = await this.#readState();
    const topology = topologyOf(state);
    const names: readonly string[] = [...infrastructureOf(topology), ...replicasOf(state)];
    if (!names.includes(name)) {
      throw new StackError(
        'STACK_UNKNOWN_PROCESS',
        `${name} is not part of the running ${topology} stack (${names.join(', ')})`,
      );
    }
    return state;
  }

  /** How to start, recognise and probe `name`; finds the binaries once per driver. @private */
  #spec(name: ProcessName, state: StackState): ProcessSpec {
    this.#binaries ??= findBinaries();
    const context = { paths: this.#paths, binaries: this.#binaries, state };
    const valkey = VALKEY_TOPOLOGIES[topologyOf(state)];
    if (valkey.processes.includes(name)) return valkey.spec(name, context);
    return processSpec(name, context, valkey.appEnv(state));
  }

  /** @private */
  #portOf(name: ProcessName, state: StackState | null): number | null {
    if (!state) {
      if (name === 'valkey') return this.#options.valkeyPort;
      return name === 'nginx' ? this.#options.edgePort : null;
    }
    if (name === 'nginx') return state.ports.edge;
    const service = serviceOf(name);
    if (service) return state.replicas[name as ReplicaName]?.port ?? null;
    return VALKEY_TOPOLOGIES[topologyOf(state)].portOf(name, state);
  }

  /** BUILD_VERSION from the environment at `up`, else `dev`. @private */
  #defaultVersion(state: StackState): string {
    return state.env.BUILD_VERSION ?? DEFAULT_VERSION;
  }

  /** @private */
  #stopTimeout(name: ProcessName, record: ProcessRecord): StackError {
    return new StackError(
      'STACK_STOP_TIMEOUT',
      `${name} (pid ${record.pid}) is still running after SIGKILL; see ${this.#paths.log(name)}`,
    );
  }

  /** @private */
  #emit(event: StackEvent): void {
    this.#options.onEvent(event);
  }
}

/** The replicas in `state` (of `service`, when given), by service and number. @private */
function replicasOf(state: StackState, service?: ServiceName): ReplicaName[] {
  return (Object.keys(state.replicas) as ReplicaName[])
    .filter((name) => service === undefined || serviceOf(name) === service)
    .sort(compareProcessNames(topologyOf(state)));
}

/** The version of `service`'s highest-numbered replica: the last one deployed. @private */
function newestVersion(state: StackState, service: ServiceName): string | undefined {
  const newest = replicasOf(state, service).at(-1);
  return newest ? state.replicas[newest]!.version : undefined;
}

/** @private */
function assertReplicaCount(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < MIN_REPLICAS || replicas > MAX_REPLICAS) {
    throw new StackError(
      'STACK_OPTIONS_INVALID',
      `replicas must be a whole number from ${MIN_REPLICAS} to ${MAX_REPLICAS}, not ${replicas}`,
    );
  }
}

/** 1..count. @private */
function numbers(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** Like Promise.all, but waits for every promise before rethrowing the first failure. @private */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** @private A state written before topologies existed is a standalone one. */
function topologyOf(state: StackState): Topology {
  return state.topology ?? 'standalone';
}
