import { mkdir } from 'node:fs/promises';
import { StackError } from '../errors.js';
import type { ResolvedStackOptions } from '../options.js';
import type { ProcessStatus, StackDriver, StackEvent } from '../stack-driver.js';
import {
  APP_WORKSPACE,
  SERVICES,
  infrastructureOf,
  serviceOf,
  type ProcessName,
  type ReplicaName,
  type ServiceName,
  type Topology,
} from '../topology.js';
import { assertReplicaCount } from '../replica-count.js';
import { buildApp } from '../local/app-build.js';
import { findBinaries, type Binaries } from '../local/binaries.js';
import { clusterTopology } from '../local/cluster-specs.js';
import { lastLogLine } from '../local/log-tail.js';
import {
  LocalReplicaSet,
  defaultReplicaNames,
  defaultReplicas,
  newestVersion,
  nextName,
  replicasOf,
  settleAll,
  unusedNames,
} from '../local/replica-set.js';
import type { FaultProxyClient } from '@baton/fault-proxy';
import { declareLinks, ensureFaultProxy, faultProxyClient } from '../local/fault-links.js';
import { stackPaths, type StackPaths } from '../local/paths.js';
import { freePortExcept, planPorts, portsOf } from '../local/ports.js';
import { prometheusSpec } from '../local/prometheus-specs.js';
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
  readonly #replicas: LocalReplicaSet;
  #binaries: Binaries | undefined;

  constructor(options: ResolvedStackOptions) {
    this.#options = options;
    this.#paths = stackPaths(options.root, options.stateDir);
    this.#replicas = new LocalReplicaSet(this.#paths, {
      start: (name) => this.#ensureStarted(name),
      stop: (name) => this.#stop(name),
      nginxBinary: () => (this.#binaries ??= findBinaries()).nginx,
      emit: (event) => this.#emit(event),
    });
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
    await this.#ensureFaultProxy();
    await this.#ensureStarted('nginx');
    const started = replicasOf(await this.#readState()).map((name) => this.#ensureStarted(name));
    if (state.ports.prometheus !== undefined) started.push(this.#ensureStarted('prometheus'));
    await settleAll(started);
  }

  async down(): Promise<void> {
    const state = await readState(this.#paths);
    if (!state) return;
    // Apps first (they drain against a live Valkey and nginx), the store last; sentinels stop
    // before the servers they watch, so none starts a failover while Valkey stops.
    await settleAll(replicasOf(state).map((name) => this.#stop(name)));
    await this.#stop('prometheus');
    await this.#stop('nginx');
    await this.#stopFaultProxy(state);
    for (const name of [...VALKEY_TOPOLOGIES[topologyOf(state)].processes].reverse()) {
      await this.#stop(name);
    }
    await updateState(this.#paths, () => null);
  }

  async status(): Promise<ProcessStatus[]> {
    const state = await readState(this.#paths);
    const topology = state ? topologyOf(state) : this.#options.topology;
    // A stack that is not up lists what `up` would start.
    const replicas = state ? replicasOf(state) : defaultReplicaNames();
    const extra: ProcessName[] = state?.ports.prometheus === undefined ? [] : ['prometheus'];
    return [...infrastructureOf(topology), ...extra, ...replicas].map((name) => {
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

  async faultProxy(): Promise<FaultProxyClient> {
    return faultProxyClient(await this.#readState());
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
    await settleAll(current.slice(0, replicas).map((name) => this.#ensureStarted(name)));
    if (replicas < current.length) await this.#replicas.remove(current.slice(replicas));
    if (replicas > current.length) {
      const version = newestVersion(state, service) ?? this.#defaultVersion(state);
      await this.#replicas.add(unusedNames(state, service, replicas - current.length), version);
    }
  }

  async deploy(service: ServiceName, options: { version: string }): Promise<void> {
    const workspace = APP_WORKSPACE[service];
    const detail = `building ${workspace} (${options.version})`;
    this.#emit({ name: 'stack', event: 'info', detail });
    await buildApp(this.#paths, workspace);
    for (const old of replicasOf(await this.#requireUp(), service)) {
      // Start-first: the new replica (above every number in use) serves before the old one leaves.
      await this.#replicas.add([nextName(await this.#readState(), service)], options.version);
      await this.#replicas.remove([old]);
    }
  }

  async recreate(name: ReplicaName): Promise<ReplicaName> {
    await this.#requireState(name);
    await this.#replicas.move(name);
    return name;
  }

  /** Starts `name` unless it runs already, then waits until it is ready. @private */
  async #ensureStarted(name: ProcessName): Promise<void> {
    // Fresh state: another invocation may have started or replaced it, or moved its port.
    const state = await this.#readState();
    let record = state.processes[name];
    if (!record || !isRunning(record)) {
      const spec = this.#spec(name, state);
      await spec.prepare();
      // Its links first: nginx may already send to the edge link, and the app dials its Valkey link.
      if (serviceOf(name)) await declareLinks(state, name as ReplicaName);
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

  /**
   * The fault proxy of a stack started with faults on: running, recorded, and every replica's
   * links declared (a proxy that was restarted has none). Nothing for a stack without it. @private
   */
  async #ensureFaultProxy(): Promise<void> {
    const state = await this.#readState();
    const record = await ensureFaultProxy(this.#paths, state, this.#options.readyTimeoutMs);
    if (!record) return;
    const next = await updateState(this.#paths, (current) => {
      const base = current ?? state;
      return { ...base, faultProxy: { ...base.faultProxy!, process: record } };
    });
    for (const name of replicasOf(next!)) await declareLinks(next!, name);
    this.#emit({ name: 'stack', event: 'info', detail: `fault proxy ready (pid ${record.pid})` });
  }

  /** @private */
  async #stopFaultProxy(state: StackState): Promise<void> {
    const record = state.faultProxy?.process;
    if (!record || !isRunning(record)) return;
    signalProcess(record, 'SIGTERM');
    if (!(await waitForExit(record, this.#options.stopTimeoutMs))) killGroup(record);
    await waitForExit(record, KILL_WAIT_MS);
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
    const anyRunning = [
      ...Object.values(existing?.processes ?? {}),
      existing?.faultProxy?.process,
    ].some((record) => record !== undefined && isRunning(record));
    const { topology } = this.#options;
    if (existing && anyRunning) {
      if (topologyOf(existing) === topology) return existing;
      throw new StackError(
        'STACK_OPTIONS_INVALID',
        `a ${topologyOf(existing)} stack is running in ${this.#paths.stateDir}; stop it (npm run stack -- down) before starting a ${topology} one`,
      );
    }
    this.#binaries ??= findBinaries();
    const ports = await planPorts(this.#options.edgePort, this.#options.valkeyPort, topology, {
      prometheus: this.#binaries.prometheus !== null,
    });
    const bare: StackState = {
      version: 2,
      topology,
      ports,
      replicas: {},
      env: this.#options.env,
      processes: {},
    };
    const fresh: StackState = this.#options.faults
      ? { ...bare, faultProxy: { control: await freePortExcept(portsOf(bare)) } }
      : bare;
    const replicas = await defaultReplicas(fresh, this.#defaultVersion(fresh));
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
    const extra = state.ports.prometheus === undefined ? [] : ['prometheus'];
    const names: readonly string[] = [
      ...infrastructureOf(topology),
      ...extra,
      ...replicasOf(state),
    ];
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
    if (name === 'prometheus') return prometheusSpec(context);
    return processSpec(name, context, valkey.appEnv(state));
  }

  /** @private */
  #portOf(name: ProcessName, state: StackState | null): number | null {
    if (!state) {
      if (name === 'valkey') return this.#options.valkeyPort;
      return name === 'nginx' ? this.#options.edgePort : null;
    }
    if (name === 'nginx') return state.ports.edge;
    if (name === 'prometheus') return state.ports.prometheus ?? null;
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

/** @private A state written before topologies existed is a standalone one. */
function topologyOf(state: StackState): Topology {
  return state.topology ?? 'standalone';
}
