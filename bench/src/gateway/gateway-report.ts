import { median } from '../load/stats.js';
import { figure, fixed, int, percent, render, text } from '../report/table.js';
import type { ProfileEntry } from '../scenarios/profile.js';
import { FLOOR, type GatewayBenchResults } from './gateway-bench.js';

/** The gateway's 180 µs goal (issue 14, goal 4), reported here, never asserted. */
export const GATEWAY_GOAL_MICROS = 180;

/** The median figures of one build on one route, over the repeats. */
export interface GatewayRow {
  readonly build: string;
  readonly route: string;
  readonly rps: number;
  readonly gateway: number;
  /** `gateway` less the floor's on the same route (NaN for the floor itself). */
  readonly overFloor: number;
  readonly cart: number;
  readonly failed: number;
}

/** Each build's and route's medians, the builds in the order they were given. */
export function gatewayRows(results: GatewayBenchResults): GatewayRow[] {
  const keys = [...new Set(results.runs.map((r) => `${r.build}\u0000${r.route}`))];
  const medians = keys.map((key) => {
    const [build, route] = key.split('\u0000') as [string, string];
    const runs = results.runs.filter((r) => r.build === build && r.route === route);
    return {
      build,
      route,
      rps: median(runs.map((r) => r.requestsPerSecond)),
      gateway: median(runs.map((r) => r.gatewayMicros)),
      cart: median(runs.map((r) => r.cartMicros)),
      failed: runs.reduce((sum, r) => sum + r.failed, 0),
    };
  });
  const floor = (route: string) =>
    medians.find((m) => m.build === FLOOR && m.route === route)?.gateway ?? Number.NaN;
  return medians.map((m) => ({
    ...m,
    overFloor: m.build === FLOOR ? Number.NaN : m.gateway - floor(m.route),
  }));
}

/** The table of {@link gatewayRows}: one row per build and route. */
export function renderGatewayTable(rows: readonly GatewayRow[]): string {
  return render<GatewayRow>(
    [
      text('build', (r) => r.build),
      text('route', (r) => r.route),
      figure('req/s', (r) => int(r.rps)),
      figure('gateway µs/req', (r) => int(r.gateway)),
      figure('above the floor µs', (r) => (Number.isNaN(r.overFloor) ? '-' : int(r.overFloor))),
      figure(`of ${GATEWAY_GOAL_MICROS} µs goal`, (r) =>
        percent(r.gateway / GATEWAY_GOAL_MICROS, 0),
      ),
      figure('cart µs/req', (r) => int(r.cart)),
      figure('failed', (r) => int(r.failed)),
    ],
    [...rows],
  );
}

/**
 * The gateway bench's printout: the median CPU per request of each build and route, the goal,
 * and each profiled build's self time by origin (its share of the samples times its /proc CPU).
 */
export function renderGatewayReport(results: GatewayBenchResults): string {
  const { plan, loadAverage } = results;
  const blocks = [
    `Gateway CPU per proxied request (median of ${plan.repeats} × ${plan.seconds} s, ${plan.connections} connections, load average ${fixed(loadAverage[0])} → ${fixed(loadAverage[1])}); \`${FLOOR}\` is a bare undici proxy with none of the gateway's features (bench/src/gateway/bare-proxy.ts):`,
    renderGatewayTable(gatewayRows(results)),
  ];
  for (const p of results.profiles) {
    blocks.push(
      `Profile of ${p.build}, ${p.route} (${int(p.gatewayMicros)} µs/req by /proc), self time by origin:`,
      render<ProfileEntry>(
        [
          text('origin', (e) => e.name),
          figure('share', (e) => percent(e.share)),
          figure('µs/req', (e) => int(e.microsPerRequest)),
        ],
        p.byOrigin.slice(0, 10),
      ),
      'Top functions:',
      render<ProfileEntry>(
        [
          text('function', (e) => e.name),
          figure('share', (e) => percent(e.share)),
          figure('µs/req', (e) => int(e.microsPerRequest)),
        ],
        p.topFunctions,
      ),
    );
  }
  return blocks.join('\n\n');
}
