import { median } from '../load/stats.js';
import { figure, fixed, int, percent, render, text } from '../report/table.js';
import type { ProfileEntry } from '../scenarios/profile.js';
import type { GatewayBenchResults } from './gateway-bench.js';

/** The gateway's 180 µs goal (issue 14, goal 4), reported here, never asserted. */
const GOAL_MICROS = 180;

/**
 * The gateway bench's printout: the median CPU per request of each build and route, the goal,
 * and each profiled build's self time by origin (its share of the samples times its /proc CPU).
 */
export function renderGatewayReport(results: GatewayBenchResults): string {
  const keys = [...new Set(results.runs.map((r) => `${r.build}\u0000${r.route}`))];
  interface Row {
    build: string;
    route: string;
    rps: number;
    gateway: number;
    cart: number;
    failed: number;
  }
  const rows = keys.map((key): Row => {
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
  const { plan, loadAverage } = results;
  const blocks = [
    `Gateway CPU per proxied request (median of ${plan.repeats} × ${plan.seconds} s, ${plan.connections} connections, load average ${fixed(loadAverage[0])} → ${fixed(loadAverage[1])}):`,
    render<Row>(
      [
        text('build', (r) => r.build),
        text('route', (r) => r.route),
        figure('req/s', (r) => int(r.rps)),
        figure('gateway µs/req', (r) => int(r.gateway)),
        figure(`of ${GOAL_MICROS} µs goal`, (r) => percent(r.gateway / GOAL_MICROS, 0)),
        figure('cart µs/req', (r) => int(r.cart)),
        figure('failed', (r) => int(r.failed)),
      ],
      rows,
    ),
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
