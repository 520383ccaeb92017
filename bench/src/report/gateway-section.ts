import { FLOOR } from '../gateway/gateway-bench.js';
import { gatewayRows, renderGatewayTable } from '../gateway/gateway-report.js';
import type { BenchResults } from '../results.js';
import type { ReportSection } from './report-section.js';
import { fixed, int } from './table.js';

/** The gateway alone, and the bare proxy beside it, from the run's last phase. */
export const GATEWAY_ALONE_SECTION: ReportSection = {
  title: 'The gateway alone, beside the floor',
  measured: (results) => results.gateway !== undefined,
  blocks: ({ results }) => {
    const gateway = results.gateway as NonNullable<BenchResults['gateway']>;
    const { plan, loadAverage } = gateway;
    return [
      `Run last, once the five stacks have stopped (\`src/gateway/\`, the same code as \`npm run bench:gateway\`): one real gateway (\`apps/gateway\`, the stacks' settings) and the **floor**, a bare proxy with none of the gateway's features (\`bench/src/gateway/bare-proxy.ts\`: a \`node:http\` server relaying every request through the same undici \`Pool\` and \`dispatch\` API, status and headers as they came: no logging, metrics, security headers, CSRF check, token transport, retry or error translation, no Express), each in front of one cart replica of the no-session control, loaded directly with browser-like requests (a \`SESSION\` cookie beside another cookie): ${plan.connections} keep-alive connections, ${plan.repeats} × ${plan.seconds} s per route and build, the builds alternating, after ${plan.warmupSeconds} s of warm-up. CPU per answered request from \`/proc/<pid>/stat\`, medians; load average ${fixed(loadAverage[0])} → ${fixed(loadAverage[1])}. What the gateway costs above the floor is the price of its features and of Express; the floor's own cost is Node's HTTP parser and writer on two sockets and the kernel's loopback, which no proxy on this machine avoids.`,
      renderGatewayTable(gatewayRows(gateway)),
    ];
  },
};

/** The gateway's and the floor's medians on one route, from the gateway-alone run. */
export function gatewayAlone(
  results: BenchResults,
  route: string,
): { gateway: number; floor: number } | undefined {
  if (!results.gateway) return undefined;
  const rows = gatewayRows(results.gateway).filter((r) => r.route === route);
  const gateway = rows.find((r) => r.build !== FLOOR)?.gateway;
  const floor = rows.find((r) => r.build === FLOOR)?.gateway;
  return gateway === undefined || floor === undefined ? undefined : { gateway, floor };
}

/** `237 µs (GET), 263 µs (POST)` for a pair of per-route figures. */
export const perRoute = (get: number, post: number) =>
  `${int(get)} µs (GET), ${int(post)} µs (POST)`;
