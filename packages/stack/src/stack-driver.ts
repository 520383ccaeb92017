import type { ProcessName, ReplicaName, ServiceName } from './topology.js';

/** One line of `status --json`. */
export interface ProcessStatus {
  readonly name: ProcessName;
  /** The app tier of a replica, null for valkey and nginx. */
  readonly service: ServiceName | null;
  /** Where nginx reaches it (`host:port`), or null when unknown. */
  readonly address: string | null;
  /** The process id, or null when it is not running (or the driver cannot see it: compose). */
  readonly pid: number | null;
  /** The port it listens on (nginx: the edge port), or null when unknown. */
  readonly port: number | null;
  readonly state: 'running' | 'stopped';
}

/** What a driver reports while it works; the CLI prints one compact line per event. */
export interface StackEvent {
  readonly name: ProcessName | 'stack';
  /** `running`: seen running by a watcher (started by another invocation). */
  readonly event: 'starting' | 'ready' | 'running' | 'stopping' | 'stopped' | 'exited' | 'info';
  readonly pid?: number | undefined;
  readonly port?: number | undefined;
  readonly detail?: string | undefined;
}

/**
 * Runs the eight processes of the topology on one mechanism (local processes, docker compose).
 * Every method returns only once the effect is observable, and throws a StackError naming the
 * process (and its log) when it is not.
 */
export interface StackDriver {
  /** Starts whatever is not running and resolves when all eight processes are ready. */
  up(): Promise<void>;
  /** Stops everything this stack started; afterwards none of its processes is left. */
  down(): Promise<void>;
  /** The state of all eight processes, in topology order. Never throws for a stopped stack. */
  status(): Promise<ProcessStatus[]>;
  /** Graceful stop (SIGTERM; nginx: SIGQUIT), wait for the exit, start, wait until ready. */
  restart(name: ProcessName): Promise<void>;
  /** SIGKILL, wait until it is gone, no restart. Does nothing if it is not running. */
  kill(name: ProcessName): Promise<void>;
  /** Starts a stopped process and waits until it is ready; only waits if it is already running. */
  start(name: ProcessName): Promise<void>;
  /** Resolves when the process is ready; throws STACK_NOT_READY after the ready timeout. */
  waitReady(name: ProcessName): Promise<void>;
  /** Exactly `replicas` ready replicas of `service`; new ones join nginx once ready, leaving ones drain. */
  scale(service: ServiceName, replicas: number): Promise<void>;
  /** Builds `version` and replaces every replica of `service`, one at a time, start-first. */
  deploy(service: ServiceName, options: { version: string }): Promise<void>;
  /** Replaces a replica on a new address; resolves with its name once ready (compose: a new number). */
  recreate(name: ReplicaName): Promise<ReplicaName>;
}
