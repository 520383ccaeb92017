import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from '../errors.js';
import type { ProcessName, ReplicaName, Topology } from '../topology.js';
import type { StackPaths } from './paths.js';

/** A process this stack started, and how to recognise it again (a PID alone can be reused). */
export interface ProcessRecord {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: ticks since boot when it started. Same PID + same value = same process. */
  readonly startTime: string;
  /** A string its /proc/<pid>/cmdline must contain. */
  readonly signature: string;
}

/** An app replica that is part of the stack, running or not. */
export interface ReplicaRecord {
  /** Where it listens on 127.0.0.1; `recreate` moves it. */
  readonly port: number;
  /** The BUILD_VERSION it runs with (`deploy --version` sets it for the replicas it starts). */
  readonly version: string;
  /**
   * In nginx's upstream. A new replica joins once it is ready; a leaving one is taken out (and
   * nginx reloaded) before it is stopped. A killed replica stays in: nginx retries its sibling.
   */
  readonly routed: boolean;
  /** Its fault-proxy links' ports, in a stack started with faults on (local/fault-links.ts). */
  readonly links?: { readonly edge: number; readonly valkey?: number };
}

/** `.stack/state.json`: what later CLI invocations need to find and restart the processes. */
export interface StackState {
  /** 2: replicas are listed in `replicas` (1 had six fixed ones in `ports.apps`). */
  readonly version: 2;
  /** How Valkey runs; absent in a state written before topologies existed: `standalone`. */
  readonly topology?: Topology;
  readonly ports: {
    readonly edge: number;
    readonly valkey: number;
    readonly cartListener: number;
    readonly accountListener: number;
    /** The sentinel topology's replica and three sentinels. */
    readonly sentinel?: { readonly replica: number; readonly sentinels: readonly number[] };
    /** The cluster topology's other two masters, and the bus ports of all three. */
    readonly cluster?: { readonly nodes: readonly number[]; readonly buses: readonly number[] };
    /** Set when Debian's prometheus is installed: 9090 when it was free at `up`, else a free port. */
    readonly prometheus?: number;
  };
  /** The app replicas of the stack, by name; `scale`, `deploy` and `recreate` change them. */
  readonly replicas: Readonly<Partial<Record<ReplicaName, ReplicaRecord>>>;
  /** The fault proxy's control port and process, in a stack started with faults on. */
  readonly faultProxy?: { readonly control: number; readonly process?: ProcessRecord };
  /** The app environment chosen at `up`, reused by `start`/`restart` so replicas stay alike. */
  readonly env: Readonly<Record<string, string>>;
  processes: Partial<Record<ProcessName, ProcessRecord>>;
}

const LOCK_WAIT_MS = 10_000;
/** A lock older than this was left by a crashed invocation (critical sections take milliseconds). */
const LOCK_STALE_MS = 30_000;

export async function readState(paths: StackPaths): Promise<StackState | null> {
  let text: string;
  try {
    text = await readFile(paths.stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const state = JSON.parse(text) as StackState;
    if (state.version !== 2) throw new Error(`unknown version ${String(state.version)}`);
    return state;
  } catch (cause) {
    throw new StackError(
      'STACK_STATE_CORRUPT',
      `${paths.stateFile} is not a Baton stack state; stop any leftover processes and delete it`,
      { cause },
    );
  }
}

/**
 * Read-modify-write of state.json under a lock, so concurrent CLI invocations (or the six app
 * starts of one `up`) never lose each other's PID records. `change` returns the new state, or
 * null to delete the file.
 */
export async function updateState(
  paths: StackPaths,
  change: (state: StackState | null) => StackState | null,
): Promise<StackState | null> {
  await acquireLock(paths);
  try {
    const next = change(await readState(paths));
    if (next === null) {
      await rm(paths.stateFile, { force: true });
    } else {
      // Write then rename: a reader never sees half a file.
      const temporary = `${paths.stateFile}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`);
      await rename(temporary, paths.stateFile);
    }
    return next;
  } finally {
    await rm(paths.lockDir, { recursive: true, force: true });
  }
}

/** mkdir is atomic: whoever creates the directory holds the lock. @private */
async function acquireLock(paths: StackPaths): Promise<void> {
  await mkdir(paths.stateDir, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(paths.lockDir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = await stat(paths.lockDir).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > LOCK_STALE_MS) await rm(paths.lockDir, { recursive: true, force: true });
    if (Date.now() > deadline) {
      throw new StackError(
        'STACK_STATE_LOCKED',
        `${paths.lockDir} is held by another invocation; remove it if none runs`,
      );
    }
    await sleep(10);
  }
}
