import { mkdir } from 'node:fs/promises';
import { StackError } from '../errors.js';
import type { ResolvedStackOptions } from '../options.js';
import type { ProcessStatus, StackDriver, StackEvent } from '../stack-driver.js';
import {
  APP_REPLICAS,
  CLUSTER_PROCESS_NAMES,
  PROCESS_NAMES,
  SENTINEL_PROCESS_NAMES,
  isClusterProcessName,
  isSentinelProcessName,
  processNamesOf,
  type AppReplicaName,
  type ProcessName,
  type Topology,
} from '../topology.js';
import { findBinaries, type Binaries } from '../local/binaries.js';
import { planPorts } from '../local/ports.js';
import { clusterNodes, ensureClusterCreated } from '../local/cluster-specs.js';
import { lastLogLine } from '../local/log-tail.js';
import { stackPaths, type StackPaths } from '../local/paths.js';
import {
  isRunning,
  killGroup,
  signalProcess,
  spawnDetached,
  waitForExit,
} from '../local/process-control.js';
import { assertBuilt, processSpec, stopSignal, type ProcessSpec } from '../local/process-specs.js';
import { waitUntil } from '../local/probes.js';
import {
  readState,
  updateState,
  type ProcessRecord,
  type StackState,
} from '../local/state-store.js';

/** How long a SIGKILLed process may take to disappear. */
const KILL_WAIT_MS = 5_000;

/**
 * Runs the stack as local processes: the system's valkey-server and nginx, and `node
 * apps/<app>/dist/src/main.js` six times, all on 127.0.0.1, each in its own process group and
 * recorded in `<stateDir>/state.json` so that later invocations find them again.
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
    await Promise.all(APP_REPLICAS.map((replica) => assertBuilt(this.#paths.appMain(replica.app))));
    const state = await this.#prepareState();
    // Valkey first (in the sentinel topology: primary, replica, then the sentinels), then nginx.
    for (const name of processNamesOf(topologyOf(state))) {
      if (name === 'nginx') break;
      await this.#ensureStarted(name, state);
    }
    if (topologyOf(state) === 'cluster') await ensureClusterCreated(state);
    await this.#ensureStarted('nginx', state);
    await settleAll(APP_REPLICAS.map((replica) => this.#ensureStarted(replica.name, state)));
  }

  async down(): Promise<void> {
    const state = await readState(this.#paths);
    if (!state) return;
    // Apps first (they drain against a live Valkey and nginx), the store last.
    await settleAll(APP_REPLICAS.map((replica) => this.#stop(replica.name, state)));
    await this.#stop('nginx', state);
    // Sentinels before the servers they watch: none may start a failover while Valkey stops.
    for (const name of [...SENTINEL_PROCESS_NAMES].reverse()) await this.#stop(name, state);
    await settleAll(CLUSTER_PROCESS_NAMES.map((name) => this.#stop(name, state)));
    await this.#stop('valkey', state);
    await updateState(this.#paths, () => null);
  }

  async status(): Promise<ProcessStatus[]> {
    const state = await readState(this.#paths);
    return processNamesOf(state ? topologyOf(state) : this.#options.topology).map((name) => {
      const record = state?.processes[name];
      const running = record !== undefined && isRunning(record);
      const port = this.#portOf(name, state);
      return {
        name,
        service: null,
        address: port === null ? null : `127.0.0.1:${port}`,
        pid: running ? record.pid : null,
        port,
        state: running ? 'running' : 'stopped',
      };
    });
  }

  async restart(name: ProcessName): Promise<void> {
    const state = await this.#requireState(name);
    await this.#stop(name, state);
    await this.#ensureStarted(name, state);
  }

  async kill(name: ProcessName): Promise<void> {
    const record = (await this.#requireState(name)).processes[name];
    if (!record || !isRunning(record)) return;
    this.#emit({ name, event: 'stopping', pid: record.pid, detail: 'SIGKILL' });
    killGroup(record);
    if (!(await waitForExit(record, KILL_WAIT_MS))) throw this.#stopTimeout(name, record);
    this.#emit({ name, event: 'exited', pid: record.pid, detail: 'SIGKILL' });
  }

  // Interim: the local scale/deploy/recreate land with the local-stack half of issue 13.
  scale(): Promise<void> {
    return Promise.reject(new StackError('STACK_OPTIONS_INVALID', 'scale: local driver pending'));
  }

  deploy(): Promise<void> {
    return Promise.reject(new StackError('STACK_OPTIONS_INVALID', 'deploy: local driver pending'));
  }

  recreate(): Promise<never> {
    return Promise.reject(
      new StackError('STACK_OPTIONS_INVALID', 'recreate: local driver pending'),
    );
  }

  async start(name: ProcessName): Promise<void> {
    await this.#ensureStarted(name, await this.#requireState(name));
  }

  async waitReady(name: ProcessName): Promise<void> {
    const state = await this.#requireState(name);
    const record = state.processes[name];
    if (!record || !isRunning(record)) {
      throw new StackError(
        'STACK_NOT_READY',
        `${name} is not running; see ${this.#paths.log(name)}`,
      );
    }
    await this.#awaitReady(name, state, record);
  }

  /** Starts `name` unless it runs already, then waits until it is ready. @private */
  async #ensureStarted(name: ProcessName, state: StackState): Promise<void> {
    // Re-read: another invocation may have started or replaced it since `state` was loaded.
    let record = (await readState(this.#paths))?.processes[name];
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
    await this.#awaitReady(name, state, record);
  }

  /** @private */
  async #awaitReady(name: ProcessName, state: StackState, record: ProcessRecord): Promise<void> {
    const spec = this.#spec(name, state);
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
  async #stop(name: ProcessName, state: StackState): Promise<void> {
    const record = ((await readState(this.#paths)) ?? state).processes[name];
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
    const anyRunning = [...PROCESS_NAMES, ...SENTINEL_PROCESS_NAMES, ...CLUSTER_PROCESS_NAMES].some(
      (name) => {
        const record = existing?.processes[name];
        return record !== undefined && isRunning(record);
      },
    );
    const { topology } = this.#options;
    if (existing && anyRunning) {
      if (topologyOf(existing) === topology) return existing;
      throw new StackError(
        'STACK_OPTIONS_INVALID',
        `a ${topologyOf(existing)} stack is running in ${this.#paths.stateDir}; stop it (npm run stack -- down) before starting a ${topology} one`,
      );
    }
    const state: StackState = {
      version: 1,
      topology,
      ports: await planPorts(this.#options.edgePort, this.#options.valkeyPort, topology),
      env: this.#options.env,
      processes: {},
    };
    await updateState(this.#paths, () => state);
    return state;
  }

  /** The state of the stack that was started, checking that `name` belongs to its topology. @private */
  async #requireState(name: ProcessName): Promise<StackState> {
    const state = await readState(this.#paths);
    if (!state) {
      throw new StackError(
        'STACK_NOT_UP',
        `no stack state in ${this.#paths.stateDir}; start the stack first (npm run stack -- up)`,
      );
    }
    const topology = topologyOf(state);
    if (!processNamesOf(topology).includes(name)) {
      throw new StackError(
        'STACK_UNKNOWN_PROCESS',
        `${name} is not part of the running ${topology} stack (${processNamesOf(topology).join(', ')})`,
      );
    }
    return state;
  }

  /** How to start, recognise and probe `name`; finds the binaries once per driver. @private */
  #spec(name: ProcessName, state: StackState): ProcessSpec {
    this.#binaries ??= findBinaries();
    return processSpec(name, { paths: this.#paths, binaries: this.#binaries, state });
  }

  /** @private */
  #portOf(name: ProcessName, state: StackState | null | undefined): number | null {
    if (name === 'valkey') return state?.ports.valkey ?? this.#options.valkeyPort;
    if (name === 'nginx') return state?.ports.edge ?? this.#options.edgePort;
    if (name === 'valkey-replica') return state?.ports.sentinel?.replica ?? null;
    if (isClusterProcessName(name)) {
      return state?.ports.cluster ? clusterNodes(state)[name === 'valkey-2' ? 1 : 2]![1] : null;
    }
    if (isSentinelProcessName(name)) {
      return state?.ports.sentinel?.sentinels[Number(name.slice(-1)) - 1] ?? null;
    }
    return state?.ports.apps[name as AppReplicaName] ?? null;
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
