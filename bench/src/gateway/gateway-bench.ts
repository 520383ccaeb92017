import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@baton/stack';
import type { ProcessSupervisor, RunningProcess } from '@baton/process-supervisor';
import { cpuDelta, snapshotCpu } from '../load/cpu.js';
import { runLoad } from '../load/load-generator.js';
import { type ProfileEntry, perRequest, summarizeProfiles } from '../scenarios/profile.js';
import { startDirectCart } from '../stack/direct-cart.js';
import { httpOk, waitReady } from '../stack/probes.js';
import { resolveGatewayMain } from '../stack/variant-stack.js';
import { startValkey } from '../stack/valkey-server.js';

export interface GatewayBenchPlan {
  readonly sessions: number;
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly repeats: number;
  /** Seconds of load per route under `node --cpu-prof`; 0 skips the profile. */
  readonly profileSeconds: number;
}

export const GATEWAY_FULL: GatewayBenchPlan = {
  sessions: 50,
  connections: 8,
  seconds: 5,
  warmupSeconds: 2,
  repeats: 3,
  profileSeconds: 5,
};
export const GATEWAY_QUICK: GatewayBenchPlan = {
  sessions: 5,
  connections: 2,
  seconds: 1,
  warmupSeconds: 0,
  repeats: 1,
  profileSeconds: 0,
};

/**
 * A gateway build to measure: `current` is this checkout's, others are given by `--against`, and
 * {@link FLOOR} is the bare proxy every build is compared with.
 */
export interface GatewayBuild {
  readonly label: string;
  /** Its `dist/src/main.js`. */
  readonly main: string;
}

const ROUTES = [
  { route: 'GET /cart', method: 'GET', paths: ['/cart'] },
  { route: 'POST /cart/:item', method: 'POST', paths: ['/cart/pear'] },
] as const;

/** How long requests still in flight when a run ends get to finish before CPU is read. */
const QUIET_MS = 300;
/** Samples this close to the start or the end of a profiled load are left out. */
const EDGE_MS = 250;

export interface GatewayRun {
  readonly build: string;
  readonly route: string;
  readonly repeat: number;
  readonly ok: number;
  readonly failed: number;
  readonly requestsPerSecond: number;
  /** CPU µs per answered request of the gateway process, and of the cart replica behind it. */
  readonly gatewayMicros: number;
  readonly cartMicros: number;
}

export interface GatewayProfile {
  readonly build: string;
  readonly route: string;
  /** The gateway's CPU µs per request measured by /proc during the profiled load. */
  readonly gatewayMicros: number;
  /** Each origin's share of the samples, times `gatewayMicros`. */
  readonly byOrigin: ProfileEntry[];
  readonly topFunctions: ProfileEntry[];
}

export interface GatewayBenchResults {
  readonly loadAverage: readonly [before: number, after: number];
  readonly plan: GatewayBenchPlan;
  readonly runs: GatewayRun[];
  readonly profiles: GatewayProfile[];
}

/**
 * The gateway's own CPU per proxied request: one real gateway per build (`apps/gateway`'s
 * `main.js`, the same env as the full bench) in front of one cart replica of the `control`
 * variant (a real HTTP server with a fixed cart, so the upstream's own cost stays small and
 * constant), loaded directly with browser-like requests (the `SESSION` cookie the gateway turns
 * into `X-Auth-Token`). Builds and routes alternate within every repeat, so a before/after
 * comparison comes from one run. CPU comes from /proc/<pid>/stat; with a profile plan, each
 * gateway is restarted under `node --cpu-prof` and its self time split by origin.
 */
export async function runGatewayBench(
  supervisor: ProcessSupervisor,
  root: string,
  plan: GatewayBenchPlan,
  builds: readonly GatewayBuild[],
  log: (line: string) => void,
): Promise<GatewayBenchResults> {
  const loadBefore = loadavg()[0] ?? 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'baton-gateway-bench-'));
  try {
    const valkey = await startValkey(supervisor, root, dir);
    const cart = await startDirectCart(supervisor, {
      dir,
      valkeyUrl: valkey.url,
      bench: 'gateway',
      name: 'cart-1',
      env: { BENCH_VARIANT: 'control' },
    });
    // The control keeps no session, so any well-shaped token does: cookies like a browser's.
    const upstream = { valkeyUrl: valkey.url, cartUrl: cart.url };
    const tokens = Array.from({ length: plan.sessions }, () =>
      randomBytes(24).toString('base64url'),
    );
    const cookies = tokens.map((t) => `SESSION=${t}; theme=dark`);
    const gateways = new Map<string, StartedGateway>();
    for (const build of builds) {
      gateways.set(build.label, await startGateway(supervisor, dir, build, upstream, []));
    }
    const measure = async (gateway: StartedGateway, route: (typeof ROUTES)[number], s: number) => {
      const before = snapshotCpu({ gateway: [gateway.proc.pid], cart: [cart.pid] });
      const load = await runLoad({
        url: gateway.url,
        method: route.method,
        paths: route.paths,
        cookies,
        connections: plan.connections,
        durationSeconds: s,
      });
      await sleep(QUIET_MS);
      const used = cpuDelta(before, snapshotCpu({ gateway: [gateway.proc.pid], cart: [cart.pid] }));
      const ok = Math.max(1, load.ok);
      return {
        load,
        gatewayMicros: ((used.gateway ?? 0) * 1000) / ok,
        cartMicros: ((used.cart ?? 0) * 1000) / ok,
      };
    };
    if (plan.warmupSeconds > 0) {
      for (const gateway of gateways.values())
        for (const route of ROUTES) await measure(gateway, route, plan.warmupSeconds);
    }
    const runs: GatewayRun[] = [];
    for (let repeat = 1; repeat <= plan.repeats; repeat++) {
      // Alternate the order, so a drift in the machine's load favours no build.
      const order = repeat % 2 === 1 ? builds : [...builds].reverse();
      for (const route of ROUTES)
        for (const build of order) {
          const { load, gatewayMicros, cartMicros } = await measure(
            gateways.get(build.label) as StartedGateway,
            route,
            plan.seconds,
          );
          const run: GatewayRun = {
            build: build.label,
            route: route.route,
            repeat,
            ok: load.ok,
            failed: load.non2xx + load.errors,
            requestsPerSecond: load.requestsPerSecond,
            gatewayMicros,
            cartMicros,
          };
          runs.push(run);
          log(
            `${build.label} ${route.route}, repeat ${repeat}: ${Math.round(run.requestsPerSecond)} req/s, ` +
              `gateway ${Math.round(gatewayMicros)} µs/req, cart ${Math.round(cartMicros)} µs/req, ` +
              `${run.failed} failed`,
          );
        }
    }
    const profiles: GatewayProfile[] = [];
    if (plan.profileSeconds > 0) {
      for (const build of builds.filter((b) => b.label !== FLOOR)) {
        const profileDir = path.join(dir, 'profiles', build.label);
        await supervisor.stop((gateways.get(build.label) as StartedGateway).proc);
        const profiled = await startGateway(supervisor, dir, build, upstream, [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
        ]);
        const windows: { route: string; from: number; to: number; micros: number; ok: number }[] =
          [];
        for (const route of ROUTES) {
          const from = Date.now() + EDGE_MS;
          const { load, gatewayMicros } = await measure(profiled, route, plan.profileSeconds);
          windows.push({
            route: route.route,
            from,
            to: Date.now() - QUIET_MS - EDGE_MS,
            micros: gatewayMicros,
            ok: load.ok,
          });
        }
        await supervisor.stop(profiled.proc);
        gateways.set(build.label, await startGateway(supervisor, dir, build, upstream, []));
        const spawned = new Map([[profiled.proc.pid, profiled.proc.startedAt]]);
        for (const w of windows) {
          const summary = await summarizeProfiles(profileDir, spawned, w.from, w.to);
          // Shares of the samples, scaled to the CPU time /proc measured (the profiler samples
          // wall time, which on a busy machine includes waiting for a core).
          const { byOrigin, topFunctions } = perRequest(summary, 1);
          const scale = (e: ProfileEntry): ProfileEntry => ({
            ...e,
            microsPerRequest: e.share * w.micros,
          });
          profiles.push({
            build: build.label,
            route: w.route,
            gatewayMicros: w.micros,
            byOrigin: byOrigin.map(scale),
            topFunctions: topFunctions.map(scale),
          });
        }
      }
    }
    return { loadAverage: [loadBefore, loadavg()[0] ?? 0], plan, runs, profiles };
  } finally {
    await supervisor.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The label of the bare proxy (`bare-proxy.ts`), the floor every gateway build is read against. */
export const FLOOR = 'floor';

/** The builds to measure: this checkout's gateway, each `--against` main.js, then the floor. */
export function gatewayBuilds(against: readonly string[]): GatewayBuild[] {
  return [
    { label: 'current', main: resolveGatewayMain() },
    ...against.map((main, i) => ({ label: `against-${i + 1}`, main: path.resolve(main) })),
    { label: FLOOR, main: fileURLToPath(new URL('./bare-proxy.js', import.meta.url)) },
  ];
}

interface StartedGateway {
  readonly url: string;
  readonly proc: RunningProcess;
}

/** @private One real gateway on a free port, with the full bench's settings. */
async function startGateway(
  supervisor: ProcessSupervisor,
  dir: string,
  build: GatewayBuild,
  upstream: { valkeyUrl: string; cartUrl: string },
  nodeArgs: readonly string[],
): Promise<StartedGateway> {
  const port = await freePort();
  const name = `gateway/${build.label}`;
  const logFile = path.join(dir, `gateway-${build.label}.log`);
  const proc = await supervisor.start({
    name,
    command: process.execPath,
    args: [...nodeArgs, build.main],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      INSTANCE_ID: `gateway-${build.label}`,
      HOST: '127.0.0.1',
      PORT: String(port),
      VALKEY_URL: upstream.valkeyUrl,
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '2000',
      CART_URL: upstream.cartUrl,
      ACCOUNT_URL: upstream.cartUrl,
    },
    cwd: dir,
    logFile,
    stopSignal: 'SIGTERM',
  });
  await waitReady(name, httpOk(port, '/readyz'), () => proc.exited, logFile);
  return { url: `http://127.0.0.1:${port}`, proc };
}
