import type { ProcessName } from '../topology.js';
import type { ProcessSpec, SpecContext } from './process-spec.js';
import type { StackState } from './state-store.js';

/**
 * How one Valkey topology (standalone, sentinel, cluster) runs locally: its processes, how to
 * start each, and what the apps need to reach it. The local driver picks one per stack; the
 * nginx and app specs only ever see `appEnv`, so no topology module knows about the others.
 */
export interface ValkeyTopology {
  /** Its processes in start order, `valkey` first; stopped in reverse. */
  readonly processes: readonly ProcessName[];
  /** How to start, recognise and probe one of `processes`. */
  spec(name: ProcessName, context: SpecContext): ProcessSpec;
  /** The port of one of `processes`, from the state alone (status never needs the binaries). */
  portOf(name: ProcessName, state: StackState): number | null;
  /** What the apps need, beyond VALKEY_URL (`valkey`'s address), to reach this topology. */
  appEnv(state: StackState): Record<string, string>;
  /** Runs once its processes are ready, before nginx and the apps start (cluster: join the masters). */
  afterStart(state: StackState): Promise<void>;
}
