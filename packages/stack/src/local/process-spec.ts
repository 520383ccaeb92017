import type { ProcessName } from '../topology.js';
import type { Binaries } from './binaries.js';
import type { StackPaths } from './paths.js';
import type { Probe } from './probes.js';
import type { SpawnRequest } from './process-control.js';
import type { StackState } from './state-store.js';

/** Everything the local driver needs to start, recognise, probe and stop one process. */
export interface ProcessSpec extends SpawnRequest {
  readonly name: ProcessName;
  readonly port: number;
  readonly stopSignal: 'SIGTERM' | 'SIGQUIT';
  readonly ready: Probe;
  /** Files and directories it needs, created or checked right before each start. */
  prepare(): Promise<void>;
}

/** What a spec is built from: where things live, which binaries, and the stack's state. */
export interface SpecContext {
  readonly paths: StackPaths;
  readonly binaries: Binaries;
  readonly state: StackState;
}

/** The part of a spec that is the same for every process: name, log, signal, inherited env. */
export type SpecBase = Pick<ProcessSpec, 'name' | 'cwd' | 'logFile' | 'env' | 'stopSignal'>;

/** Variables of the caller's environment every process inherits; the rest is set explicitly. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'TZ'] as const;

export function specBase(name: ProcessName, paths: StackPaths): SpecBase {
  const env: NodeJS.ProcessEnv = {};
  for (const variable of INHERITED) {
    if (process.env[variable] !== undefined) env[variable] = process.env[variable];
  }
  return { name, cwd: paths.root, logFile: paths.log(name), env, stopSignal: stopSignal(name) };
}

/** nginx's graceful stop is SIGQUIT (its SIGTERM is the fast one); everything else drains on SIGTERM. */
export function stopSignal(name: ProcessName): 'SIGTERM' | 'SIGQUIT' {
  return name === 'nginx' ? 'SIGQUIT' : 'SIGTERM';
}
