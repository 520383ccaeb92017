import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { cpuDelta, snapshotCpu } from '../load/cpu.js';
import { HttpClient, cartOf } from '../load/http-client.js';
import { type ReplicaLoad, loadReplicas, seedSessions } from '../load/replica-load.js';
import { type DirectCart, startDirectCart } from '../stack/direct-cart.js';
import type { ProcessSupervisor } from '@baton/process-supervisor';
import { startValkey } from '../stack/valkey-server.js';

export interface NearCachePlan {
  readonly sessions: number;
  /** Connections per replica; both replicas are loaded at once. */
  readonly connections: number;
  readonly seconds: number;
  readonly repeats: number;
  /** Write-on-one-node, read-on-the-other pairs of the stale-read count. */
  readonly pairs: number;
}

export const NEAR_CACHE_FULL: NearCachePlan = {
  sessions: 200,
  connections: 8,
  seconds: 10,
  repeats: 5,
  pairs: 1_000,
};
export const NEAR_CACHE_QUICK: NearCachePlan = {
  sessions: 20,
  connections: 2,
  seconds: 1,
  repeats: 1,
  pairs: 50,
};

export type Setting = 'off' | 'on';

/** One measurement: reads on both replicas of one setting. */
export interface ThroughputRun extends ReplicaLoad {
  readonly setting: Setting;
  readonly repeat: number;
  /** Session loads that reached Valkey (script calls) per request. */
  readonly loadsPerRequest: number;
  /** CPU time per 2xx response, in µs: both cart replicas together, and Valkey. */
  readonly cartCpuUs: number;
  readonly valkeyCpuUs: number;
}

export interface StaleRun {
  readonly setting: Setting;
  readonly pairs: number;
  readonly stale: number;
  /** For each stale read: ms from the add's response until a read on that replica had it. */
  readonly windowsMs: number[];
}

export interface NearCacheResults {
  readonly date: string;
  /** 1-minute load averages at the start and the end, and the machine's cores. */
  readonly load: { before: number; after: number; cores: number };
  readonly plan: NearCachePlan;
  readonly runs: ThroughputRun[];
  readonly stale: StaleRun[];
}

/**
 * Baton's cart replicas (`variants/main.ts`, BENCH_VARIANT=baton) with the near cache off and on,
 * two replicas each, on one Valkey. The load generator talks to the replicas directly and splits
 * its connections between them (what nginx's round robin does), so the figures are the session
 * layer's and not the edge's. Every repeat runs both settings (alternating which goes first), so
 * the ratio comes from one run.
 */
export async function runNearCacheBench(
  supervisor: ProcessSupervisor,
  root: string,
  plan: NearCachePlan,
  log: (line: string) => void,
): Promise<NearCacheResults> {
  const loadBefore = loadavg()[0] as number;
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-near-cache-bench-'));
  try {
    const valkey = await startValkey(supervisor, root, dir);
    const admin = new Redis(valkey.url);
    try {
      const carts: Record<Setting, DirectCart[]> = { off: [], on: [] };
      for (const setting of ['off', 'on'] as const) {
        for (const n of [1, 2]) {
          carts[setting].push(
            await startDirectCart(supervisor, {
              dir,
              valkeyUrl: valkey.url,
              bench: 'near-cache',
              name: `${setting}-${n}`,
              env: { SESSION_NEAR_CACHE: String(setting === 'on') },
            }),
          );
        }
      }
      const replicas = {
        off: carts.off.map((cart) => cart.url),
        on: carts.on.map((cart) => cart.url),
      };

      const runs: ThroughputRun[] = [];
      for (let repeat = 1; repeat <= plan.repeats; repeat++) {
        // Alternate which setting goes first, so a drift in the machine's load favours neither.
        const order = repeat % 2 === 1 ? (['off', 'on'] as const) : (['on', 'off'] as const);
        for (const setting of order) {
          const tokens = await seedSessions(replicas[setting][0] as string, plan.sessions, [
            'pear',
            'plum',
          ]);
          const before = await scriptCalls(admin);
          const pids = {
            carts: carts[setting].map((cart) => cart.pid),
            valkey: [valkey.process.pid],
          };
          const cpuBefore = snapshotCpu(pids);
          const loaded = await loadReplicas(replicas[setting], tokens, {
            method: 'GET',
            path: '/cart',
            connections: plan.connections,
            seconds: plan.seconds,
          });
          const cpu = cpuDelta(cpuBefore, snapshotCpu(pids));
          const calls = (await scriptCalls(admin)) - before;
          const ok = Math.max(loaded.ok, 1);
          const run: ThroughputRun = {
            setting,
            repeat,
            ...loaded,
            loadsPerRequest: calls / ok,
            cartCpuUs: ((cpu.carts ?? 0) * 1000) / ok,
            valkeyCpuUs: ((cpu.valkey ?? 0) * 1000) / ok,
          };
          runs.push(run);
          log(
            `near cache ${setting}, repeat ${repeat}: ${Math.round(run.requestsPerSecond)} req/s, ` +
              `${run.loadsPerRequest.toFixed(3)} loads/request, CPU µs/request: carts ` +
              `${Math.round(run.cartCpuUs)}, valkey ${Math.round(run.valkeyCpuUs)}, ` +
              `${run.failed} failed`,
          );
          await admin.flushall();
        }
      }
      const stale: StaleRun[] = [];
      for (const setting of ['off', 'on'] as const) {
        const run = await staleReads(replicas[setting], plan.pairs);
        stale.push({ setting, ...run });
        log(
          `near cache ${setting}: ${run.stale} stale reads in ${run.pairs} pairs` +
            (run.stale > 0 ? `, longest ${Math.max(...run.windowsMs).toFixed(2)} ms` : ''),
        );
      }
      return {
        date: new Date().toISOString(),
        load: { before: loadBefore, after: loadavg()[0] as number, cores: availableParallelism() },
        plan,
        runs,
        stale,
      };
    } finally {
      admin.disconnect();
    }
  } finally {
    await supervisor.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

/** @private Script calls Valkey ran: every session load, hit or not, is one. */
async function scriptCalls(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) {
    calls += Number(match[2]);
  }
  return calls;
}

/**
 * @private One session, `pairs` times: read it on the other replica (so that replica holds the
 * current version), add an item on one replica, and as soon as that answered, read on the other.
 * A read that lacks the item acknowledged just before it is stale.
 */
async function staleReads(
  replicas: string[],
  pairs: number,
): Promise<{ pairs: number; stale: number; windowsMs: number[] }> {
  const clients = replicas.map((url) => new HttpClient(url));
  try {
    const [a, b] = clients as [HttpClient, HttpClient];
    const token = (await a.request('POST', '/cart/seed')).headers['x-auth-token'] as string;
    const auth = { 'x-auth-token': token };
    let stale = 0;
    const windowsMs: number[] = [];
    for (let i = 1; i <= pairs; i++) {
      const [writer, reader] = i % 2 === 1 ? [a, b] : [b, a];
      await reader.request('GET', '/cart', auth);
      const item = `item-${i}`;
      const written = await writer.request('POST', `/cart/${item}`, auth);
      if (written.status !== 200) throw new Error(`POST /cart/${item} answered ${written.status}`);
      const acknowledged = performance.now();
      if (cartOf(await reader.request('GET', '/cart', auth)).includes(item)) continue;
      stale++;
      // How long the replica kept serving the old version: read again until the item is there.
      while (!cartOf(await reader.request('GET', '/cart', auth)).includes(item)) {
        if (performance.now() - acknowledged > 10_000) {
          throw new Error(`${item} never reached the other replica: an invalidation was lost`);
        }
      }
      windowsMs.push(performance.now() - acknowledged);
    }
    return { pairs, stale, windowsMs };
  } finally {
    for (const client of clients) client.close();
  }
}
