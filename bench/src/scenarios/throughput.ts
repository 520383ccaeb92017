import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchEnvironment, Tier } from '../environment.js';
import { cpuDelta, machineBusyMs, snapshotCpu } from '../load/cpu.js';
import { type LoadResult, runLoad } from '../load/load-generator.js';
import { BenchFailure, inParallel } from '../sessions/variant-client.js';
import { SEEDED_CART } from '../variants/control-cart.js';
import { SESSION_VARIANTS, VARIANTS, type VariantName } from '../variants/variant.js';
import { countKeys, parseCommandStats } from './valkey-info.js';
import { keyPattern } from '../sessions/session-formats.js';

export const ROUTES = ['GET /cart', 'POST /cart/:item'] as const;

/** What `POST /cart/:item` adds, in turn: the catalog's eight fruits (see LoadOptions.paths). */
const ADDED_ITEMS = ['apple', 'pear', 'banana', 'orange', 'lemon', 'kiwi', 'grapes', 'cherries'];

/** How long requests still in flight when a run ends get to finish. */
const QUIET_MS = 500;
export type Route = (typeof ROUTES)[number];

export interface ThroughputRun {
  readonly variant: VariantName;
  readonly route: Route;
  readonly repeat: number;
  readonly load: LoadResult;
  /** CPU time per request sent, in µs, per tier and for the load generator (`self`). */
  readonly cpuMicrosPerRequest: Record<Tier | 'self', number>;
  /**
   * Commands the cart replicas sent to Valkey per request sent (round trips): `INFO commandstats`
   * of the commands the variant's carts send (seen in the round-trip measurement), less what the
   * idle platform sends of them anyway (the gateways' background sweep).
   */
  readonly roundTripsPerRequest: number;
  /**
   * CPU the rest of the machine used during the run (other processes: not the variant's, not
   * the bench's), in cores: what interfered with this run.
   */
  readonly otherCores: number;
}

export interface ThroughputOptions {
  readonly repeats: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly backgroundSeconds: number;
  readonly connections: number;
  /** The command names each variant's cart replicas send (from the round-trip measurement). */
  readonly appCommands: Record<VariantName, ReadonlySet<string>>;
  /** Per variant, how often one of its script calls runs each command inside (not a round trip). */
  readonly innerPerScript: Record<VariantName, Readonly<Record<string, number>>>;
  /** Sessions created before each run; the requests cycle through them. */
  readonly sessions: number;
  readonly onRun: (label: string) => void;
  readonly onTick: (label: string, elapsed: number, responses: number) => void;
}

/**
 * Closed-loop throughput and latency through the nginx edge with existing sessions. Each variant
 * is warmed up first; then every repeat runs every route on every variant in turn (Baton,
 * baseline, BatonStore, control; again; again), so drift of the machine hits all four alike.
 * Before each run Valkey is emptied and `sessions` fresh sessions of three items are created
 * through the edge, so every run starts from the same state.
 */
export async function measureThroughput(
  env: BenchEnvironment,
  options: ThroughputOptions,
): Promise<ThroughputRun[]> {
  for (const variant of VARIANTS) {
    options.onRun(`warm-up ${variant}`);
    const cookies = await seed(env, variant, options.sessions);
    for (const route of ROUTES) {
      await load(
        env,
        variant,
        route,
        cookies,
        options,
        options.warmupSeconds,
        `warm-up ${variant} ${route}`,
      );
    }
  }
  const background = await backgroundRates(env, options.backgroundSeconds);
  const runs: ThroughputRun[] = [];
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    for (const route of ROUTES) {
      for (const variant of VARIANTS) {
        const label = `${route} ${variant} #${repeat}`;
        options.onRun(label);
        const cookies = await seed(env, variant, options.sessions);
        await env.admin.call('CONFIG', 'RESETSTAT');
        const statsFrom = performance.now();
        const pids = env.pidsByTier(variant);
        const before = snapshotCpu(pids);
        const busyBefore = machineBusyMs();
        const wallBefore = performance.now();
        const result = await load(
          env,
          variant,
          route,
          cookies,
          options,
          options.durationSeconds,
          label,
        );
        const cpu = cpuDelta(before, snapshotCpu(pids));
        const ours = Object.values(cpu).reduce((a, b) => a + b, 0);
        const others = machineBusyMs() - busyBefore - ours;
        const wall = performance.now() - wallBefore;
        const stats = parseCommandStats(String(await env.admin.info('commandstats')));
        const seconds = (performance.now() - statsFrom) / 1000;
        const beyondBackground = (name: string) =>
          Math.max(0, (stats[name] ?? 0) - (background[name] ?? 0) * seconds);
        const scriptCalls = beyondBackground('evalsha') + beyondBackground('eval');
        const inner = options.innerPerScript[variant];
        let calls = 0;
        for (const name of options.appCommands[variant]) {
          // A command the carts send themselves that their scripts also run inside: only the
          // top-level ones are round trips.
          calls += Math.max(0, beyondBackground(name) - scriptCalls * (inner[name] ?? 0));
        }
        // Per request sent: the requests still in flight at the end ran too (within QUIET_MS).
        const sent = Math.max(1, result.sent, result.ok);
        const perRequest = (ms: number | undefined) => ((ms ?? 0) * 1000) / sent;
        runs.push({
          variant,
          route,
          repeat,
          load: result,
          cpuMicrosPerRequest: {
            nginx: perRequest(cpu.nginx),
            gateways: perRequest(cpu.gateways),
            carts: perRequest(cpu.carts),
            valkey: perRequest(cpu.valkey),
            self: perRequest(cpu.self),
          },
          roundTripsPerRequest: calls / sent,
          otherCores: Math.max(0, others) / wall,
        });
      }
    }
  }
  return runs;
}

/**
 * @private Commands per second Valkey executes with no request running: what the platform does
 * by itself (the gateways' indexed-mode sweep, readiness checks). Subtracted from each run.
 */
async function backgroundRates(
  env: BenchEnvironment,
  seconds: number,
): Promise<Record<string, number>> {
  await env.admin.call('CONFIG', 'RESETSTAT');
  const from = performance.now();
  await sleep(seconds * 1000);
  const stats = parseCommandStats(String(await env.admin.info('commandstats')));
  const elapsed = (performance.now() - from) / 1000;
  const rates: Record<string, number> = {};
  for (const [name, calls] of Object.entries(stats)) rates[name] = calls / elapsed;
  return rates;
}

/** @private Fresh sessions of the control's cart (three items), created through the edge. */
async function seed(
  env: BenchEnvironment,
  variant: VariantName,
  sessions: number,
): Promise<string[]> {
  await env.flush();
  const client = env.client(variant);
  const cookies = await inParallel(sessions, 16, () => client.newSession(SEEDED_CART));
  // connect-redis 9+ on an ioredis client would answer 200 and store nothing: check they landed
  // (and that the control stored nothing).
  let stored = 0;
  for (const v of SESSION_VARIANTS) stored += await countKeys(env.admin, keyPattern(v));
  const expected = variant === 'control' ? 0 : sessions;
  if (stored !== expected) {
    throw new BenchFailure(
      `${variant}: ${sessions} sessions created, ${stored} session keys in Valkey (expected ${expected})`,
    );
  }
  return cookies;
}

/** @private */
async function load(
  env: BenchEnvironment,
  variant: VariantName,
  route: Route,
  cookies: string[],
  options: ThroughputOptions,
  seconds: number,
  label: string,
): Promise<LoadResult> {
  const result = await runLoad({
    url: env.stacks[variant].edgeUrl,
    method: route === 'GET /cart' ? 'GET' : 'POST',
    paths: route === 'GET /cart' ? ['/cart'] : ADDED_ITEMS.map((item) => `/cart/${item}`),
    cookies,
    connections: options.connections,
    durationSeconds: seconds,
    onTick: (elapsed, responses) => options.onTick(label, elapsed, responses),
  });
  // autocannon resolves when its time is up, with requests still inside nginx and the apps; let
  // them finish, or a late POST would recreate a session right after the next FLUSHALL.
  await sleep(QUIET_MS);
  return result;
}
