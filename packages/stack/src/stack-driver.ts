import type { FaultProxyClient } from '@baton/fault-proxy';
import type { ProcessName, ReplicaName, ServiceName } from './topology.js';

/** One line of `status --json`. */
export interface ProcessStatus {
  readonly name: ProcessName;
  /** The app service a replica belongs to (`cart-3` → `cart`); null for valkey, nginx, sentinels. */
  readonly service: ServiceName | null;
  /** The process id, or null when it is not running (or the driver cannot see it: compose). */
  readonly pid: number | null;
  /** The port it listens on (nginx: the edge port), or null when unknown. */
  readonly port: number | null;
  /**
   * The host:port nginx uses for it (local `127.0.0.1:<port>`; compose: the container's
   * address), or null when unknown. `recreate` changes it.
   */
  readonly address: string | null;
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
 * Runs the topology (Valkey, nginx, and numbered replicas of every app service) on one mechanism
 * (local processes, docker compose). Every method returns only once the effect is observable, and
 * throws a StackError naming the process (and its log) when it is not.
 */
export interface StackDriver {
  /**
   * Starts whatever is not running and resolves when every process is ready. A fresh stack gets
   * DEFAULT_REPLICAS replicas of each service; a stack that still runs keeps its replicas.
   */
  up(): Promise<void>;
  /** Stops everything this stack started; afterwards none of its processes is left. */
  down(): Promise<void>;
  /**
   * The infrastructure in topology order, then the replicas that exist (running, or stopped but
   * still part of the stack) by service and number. Never throws for a stopped stack.
   */
  status(): Promise<ProcessStatus[]>;
  /** Graceful stop (SIGTERM; nginx: SIGQUIT), wait for the exit, start, wait until ready. */
  restart(name: ProcessName): Promise<void>;
  /** SIGKILL, wait until it is gone, no restart. Does nothing if it is not running. */
  kill(name: ProcessName): Promise<void>;
  /** Starts a stopped process and waits until it is ready; only waits if it is already running. */
  start(name: ProcessName): Promise<void>;
  /** Resolves when the process is ready; throws STACK_NOT_READY after the ready timeout. */
  waitReady(name: ProcessName): Promise<void>;
  /**
   * Exactly `replicas` ready replicas of `service` when it resolves (1..16, else
   * STACK_OPTIONS_INVALID). New ones join nginx only once ready; leaving ones are taken out of
   * nginx first, then drained (SIGTERM) and stopped.
   */
  scale(service: ServiceName, replicas: number): Promise<void>;
  /**
   * Builds the new version and replaces every replica of `service`, one at a time, start-first:
   * a new replica (next unused number) is ready and in nginx before an old one leaves nginx and
   * drains. Never fewer ready replicas than before. The new replicas report `version`.
   */
  deploy(service: ServiceName, options: { version: string }): Promise<void>;
  /**
   * Moves a replica to a new address, nginx following; resolves with its name once it is ready
   * there. Local: stopped, then started on a new free port (the same name). Compose: a new
   * container is started and ready first (the next number, a new IP), then the old one drains
   * and is removed, as `up` replaces a container after a rebuild.
   */
  recreate(name: ReplicaName): Promise<ReplicaName>;
  /**
   * The control client of the stack's fault proxy (links `nginx>cart-1`, `cart-1>valkey`, …);
   * STACK_OPTIONS_INVALID for a stack started without faults on, or a driver that has none.
   */
  faultProxy(): Promise<FaultProxyClient>;
}
