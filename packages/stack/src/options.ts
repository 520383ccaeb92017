import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './errors.js';
import type { StackEvent } from './stack-driver.js';
import { TOPOLOGIES, type Topology } from './topology.js';

export interface StackOptions {
  /** Which mechanism runs the processes. @default 'local' */
  driver?: 'local' | 'compose';
  /**
   * How Valkey runs (`--topology`): `standalone`, `sentinel` (primary, replica, three
   * sentinels) or `cluster` (three masters of a Valkey Cluster). A running stack keeps the topology it was started with. @default $BATON_TOPOLOGY, else 'standalone'
   */
  topology?: Topology;
  /** The repository root (holds apps/, infra/, compose.yaml). @default the checkout this package is in */
  root?: string;
  /** Where state, logs and data live. @default $BATON_STACK_DIR, else `<root>/.stack` */
  stateDir?: string;
  /** Public port of the nginx edge. @default $EDGE_PORT, else 8080 */
  edgePort?: number;
  /** Port of valkey-server. @default $VALKEY_PORT, else 6379 */
  valkeyPort?: number;
  /**
   * The compose project (`docker compose -p`): containers are `<project>-<service>-<n>`.
   * @default $COMPOSE_PROJECT_NAME, else 'baton'
   */
  composeProject?: string;
  /** Compose files, relative to `root`, later ones overriding earlier ones. @default ['compose.yaml'] */
  composeFiles?: string[];
  /**
   * Puts the fault proxy (`@baton/fault-proxy`) on every hop nginx → replica and replica → Valkey
   * (standalone topology), so `Stack.faultProxy()` can slow, stall or reset any of them while the
   * stack runs. Local driver only; a running stack keeps what it was started with.
   * @default $BATON_FAULTS is `1`, else false
   */
  faults?: boolean;
  /** Extra environment for every app replica, applied over the pass-through variables. */
  env?: Record<string, string>;
  /** How long a process may take to become ready, in ms. @default 30000 */
  readyTimeoutMs?: number;
  /** How long a graceful stop may take before SIGKILL, in ms. @default 15000 */
  stopTimeoutMs?: number;
  /** Receives progress events (the CLI prints them). @default ignore them */
  onEvent?: (event: StackEvent) => void;
  /** Where the defaults above are read from. @default process.env */
  processEnv?: NodeJS.ProcessEnv;
}

export type ResolvedStackOptions = Required<Omit<StackOptions, 'processEnv'>>;

/** Variables handed from the caller's environment to every app when set (see README). */
export const PASS_THROUGH = [
  'COOKIE_SECURE',
  'SESSION_MAX_INACTIVE_SECONDS',
  'LOG_LEVEL',
  // account-service's limit of signed-in sessions per user (indexed mode); the others ignore it.
  'MAX_SESSIONS_PER_USER',
  // Durable writes (WAIT after each session write): worth trying with --topology sentinel.
  'SESSION_DURABLE_WRITES_REPLICAS',
  'SESSION_DURABLE_WRITES_TIMEOUT_MS',
  // The build the replicas of `up` report (/healthz, X-Build-Version); `deploy --version` sets it
  // per replica. Default: dev.
  'BUILD_VERSION',
  // An OTLP/HTTP receiver: the apps trace when it is set (docs/observability.md#traces).
  'OTEL_EXPORTER_OTLP_ENDPOINT',
] as const;

export const DEFAULT_STACK_OPTIONS = {
  driver: 'local',
  topology: 'standalone',
  edgePort: 8080,
  valkeyPort: 6379,
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 15_000,
} as const;

/** Resolves defaults and validates once, so drivers only ever see checked values. */
export function resolveStackOptions(input: StackOptions = {}): ResolvedStackOptions {
  const processEnv = input.processEnv ?? process.env;
  const root = path.resolve(input.root ?? defaultRoot());
  const driver = input.driver ?? DEFAULT_STACK_OPTIONS.driver;
  if (driver !== 'local' && driver !== 'compose') {
    throw new StackError(
      'STACK_OPTIONS_INVALID',
      `driver must be "local" or "compose", not "${String(driver)}"`,
    );
  }
  const topology = input.topology ?? (processEnv.BATON_TOPOLOGY || DEFAULT_STACK_OPTIONS.topology);
  if (!(TOPOLOGIES as readonly string[]).includes(topology)) {
    throw new StackError(
      'STACK_OPTIONS_INVALID',
      `topology must be one of ${TOPOLOGIES.join(', ')}, not "${String(topology)}"`,
    );
  }
  // The local demo serves plain HTTP, where a Secure cookie would never come back.
  const env: Record<string, string> = { COOKIE_SECURE: 'false' };
  for (const name of PASS_THROUGH) {
    const value = processEnv[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  const composeProject = input.composeProject ?? (processEnv.COMPOSE_PROJECT_NAME || 'baton');
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(composeProject)) {
    throw new StackError(
      'STACK_OPTIONS_INVALID',
      `the compose project name must be lower-case letters, digits, - and _, not "${composeProject}"`,
    );
  }
  return {
    driver,
    topology: topology as Topology,
    faults: input.faults ?? processEnv.BATON_FAULTS === '1',
    composeProject,
    composeFiles: input.composeFiles ?? ['compose.yaml'],
    root,
    stateDir: path.resolve(root, input.stateDir ?? (processEnv.BATON_STACK_DIR || '.stack')),
    edgePort: port(
      'EDGE_PORT',
      input.edgePort ?? processEnv.EDGE_PORT,
      DEFAULT_STACK_OPTIONS.edgePort,
    ),
    valkeyPort: port(
      'VALKEY_PORT',
      input.valkeyPort ?? processEnv.VALKEY_PORT,
      DEFAULT_STACK_OPTIONS.valkeyPort,
    ),
    env: { ...env, ...input.env },
    readyTimeoutMs: input.readyTimeoutMs ?? DEFAULT_STACK_OPTIONS.readyTimeoutMs,
    stopTimeoutMs: input.stopTimeoutMs ?? DEFAULT_STACK_OPTIONS.stopTimeoutMs,
    onEvent: input.onEvent ?? (() => {}),
  };
}

/**
 * The checkout this file belongs to: dist/src/options.js sits four levels below the root.
 * @private
 */
function defaultRoot(): string {
  return fileURLToPath(new URL('../../../../', import.meta.url));
}

/** @private */
function port(name: string, raw: number | string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new StackError(
      'STACK_OPTIONS_INVALID',
      `${name} must be a port number (1-65535), not "${raw}"`,
    );
  }
  return value;
}
