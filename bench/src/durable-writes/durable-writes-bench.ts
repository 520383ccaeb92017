import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '@baton/stack';
import { type ReplicaLoad, loadReplicas, seedSessions } from '../load/replica-load.js';
import { findExecutable } from '../stack/binaries.js';
import { startDirectCart } from '../stack/direct-cart.js';
import { valkeyPong, waitReady } from '../stack/probes.js';
import type { ProcessSupervisor } from '@baton/process-supervisor';
import { startValkey } from '../stack/valkey-server.js';

export interface DurableWritesPlan {
  readonly sessions: number;
  /**
   * Connections per cart replica (both replicas are loaded at once), one measurement each: 1
   * shows what a write waits (latency-bound), more show what the machine can do (CPU-bound).
   */
  readonly connections: readonly number[];
  readonly seconds: number;
  readonly repeats: number;
  /** `durableWrites.timeoutMs` of the `on` replicas. */
  readonly timeoutMs: number;
}

export const DURABLE_WRITES_FULL: DurableWritesPlan = {
  sessions: 200,
  connections: [1, 8],
  seconds: 8,
  repeats: 3,
  timeoutMs: 100,
};
export const DURABLE_WRITES_QUICK: DurableWritesPlan = {
  sessions: 20,
  connections: [1, 2],
  seconds: 1,
  repeats: 1,
  timeoutMs: 100,
};

export type Setting = 'off' | 'on';

/** One measurement: writes on both replicas of one setting, with this many connections to each. */
export interface WriteRun extends ReplicaLoad {
  readonly setting: Setting;
  readonly connections: number;
  readonly repeat: number;
  /** WAIT commands the primary ran, per 2xx response. */
  readonly waitsPerWrite: number;
}

export interface DurableWritesResults {
  readonly date: string;
  /** 1-minute load average before and after the run: the figures are only as calm as the machine. */
  readonly loadAverage: readonly [before: number, after: number];
  readonly plan: DurableWritesPlan;
  readonly runs: WriteRun[];
}

/**
 * Session writes (`POST /cart/:item`: one compare-and-set each) on Baton's cart replicas
 * (`variants/main.ts`, BENCH_VARIANT=baton) with `durableWrites` off and on, two replicas each,
 * on one primary with one replica (`--replicaof`) on the same machine. Every repeat runs both
 * settings (alternating which goes first), so the ratio comes from one run.
 */
export async function runDurableWritesBench(
  supervisor: ProcessSupervisor,
  root: string,
  plan: DurableWritesPlan,
  log: (line: string) => void,
): Promise<DurableWritesResults> {
  const loadBefore = loadavg()[0] ?? 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-durable-writes-bench-'));
  try {
    const primary = await startValkey(supervisor, root, dir);
    await startReplica(supervisor, root, dir, primary.port);
    const admin = new Redis(primary.url);
    try {
      await waitForReplica(admin);
      const replicas: Record<Setting, string[]> = { off: [], on: [] };
      for (const i of [1, 2]) {
        for (const setting of ['off', 'on'] as const) {
          const name = `${setting}-${i}`;
          const cart = await startDirectCart(supervisor, {
            dir,
            valkeyUrl: primary.url,
            bench: 'durable-writes',
            name,
            env: {
              SESSION_DURABLE_WRITES_REPLICAS: setting === 'on' ? '1' : '0',
              SESSION_DURABLE_WRITES_TIMEOUT_MS: String(plan.timeoutMs),
            },
          });
          replicas[setting].push(cart.url);
        }
      }
      const runs: WriteRun[] = [];
      for (let repeat = 1; repeat <= plan.repeats; repeat++) {
        // Alternate which setting goes first, so a drift in the machine's load favours neither.
        const order = repeat % 2 === 1 ? (['off', 'on'] as const) : (['on', 'off'] as const);
        for (const connections of plan.connections)
          for (const setting of order) {
            const tokens = await seedSessions(replicas[setting][0] as string, plan.sessions);
            const before = await waitCalls(admin);
            const loaded = await loadReplicas(replicas[setting], tokens, {
              method: 'POST',
              path: '/cart/pear',
              connections,
              seconds: plan.seconds,
            });
            const run: WriteRun = {
              setting,
              connections,
              repeat,
              ...loaded,
              waitsPerWrite: ((await waitCalls(admin)) - before) / Math.max(loaded.ok, 1),
            };
            runs.push(run);
            log(
              `durable writes ${setting}, ${connections} conn., repeat ${repeat}: ` +
                `${Math.round(run.requestsPerSecond)} writes/s, ` +
                `p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, ${run.failed} failed`,
            );
            await admin.flushall();
            await waitForReplica(admin);
          }
      }
      const loadAverage = [loadBefore, loadavg()[0] ?? 0] as const;
      return { date: new Date().toISOString(), loadAverage, plan, runs };
    } finally {
      admin.disconnect();
    }
  } finally {
    await supervisor.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

/** @private The replica: the same config as the primary, replicating it. */
async function startReplica(
  supervisor: ProcessSupervisor,
  root: string,
  dir: string,
  primaryPort: number,
): Promise<void> {
  const port = await freePort();
  const dataDir = path.join(dir, 'valkey-replica');
  await mkdir(dataDir, { recursive: true });
  const logFile = path.join(dir, 'valkey-replica.log');
  const proc = await supervisor.start({
    name: 'valkey-replica',
    command: findExecutable('valkey-server'),
    args: [
      path.join(root, 'infra', 'valkey', 'valkey.conf'),
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir],
      ...['--daemonize', 'no', '--maxmemory', '0'],
      ...['--replicaof', '127.0.0.1', String(primaryPort)],
    ],
    env: { PATH: process.env.PATH ?? '' },
    cwd: dir,
    logFile,
    stopSignal: 'SIGTERM',
  });
  await waitReady('valkey-replica', valkeyPong(port), () => proc.exited, logFile);
}

/** @private Until the primary has one replica in sync (WAIT 1 answers 1). */
async function waitForReplica(admin: Redis): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await admin.wait(1, 100)) >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the replica did not sync with the primary within 30 s');
}

/** @private WAIT commands the primary ran so far. */
async function waitCalls(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  return Number(/^cmdstat_wait:calls=(\d+)/m.exec(info)?.[1] ?? 0);
}
