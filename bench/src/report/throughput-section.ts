import type { Tier } from '../environment.js';
import { ROUTES, type Route, type ThroughputRun } from '../scenarios/throughput.js';
import { VARIANTS, VARIANT_LABEL, type VariantName } from '../variants/variant.js';
import type { ReportSection } from './report-section.js';
import { type RunSummary, cpuRatio, ratio, totalCpu } from './summary.js';
import { figure, fixed, int, percent, render, text, times } from './table.js';

/** One (route, variant) pair of the medians tables. */
interface Pair {
  readonly route: Route;
  readonly variant: VariantName;
  readonly s: RunSummary | undefined;
}

const routeCell = (route: Route) => `\`${route}\``;
/** How the ratio headers name a variant: "Baton", "baseline". */
const named = (v: VariantName) => (v === 'baton' ? 'Baton' : v);
const NAN = Number.NaN;
/** The tiers in the order the CPU columns show them. */
const TIERS: readonly (Tier | 'self')[] = ['nginx', 'gateways', 'carts', 'valkey', 'self'];
const cpuOf = (p: Pair, tier: Tier | 'self') => int(p.s?.cpuMicrosPerRequest[tier] ?? NAN);

const MEDIANS = [
  text<Pair>('route', (p) => routeCell(p.route)),
  text<Pair>('variant', (p) => VARIANT_LABEL[p.variant]),
  figure<Pair>('req/s', (p) => int(p.s?.requestsPerSecond ?? NAN)),
  figure<Pair>('p50 ms', (p) => fixed(p.s?.p50Ms ?? NAN)),
  figure<Pair>('p99 ms', (p) => fixed(p.s?.p99Ms ?? NAN)),
  figure<Pair>('Valkey round trips / request', (p) => fixed(p.s?.roundTripsPerRequest ?? NAN)),
];

const CPU = [
  MEDIANS[0]!,
  MEDIANS[1]!,
  ...TIERS.map((tier) =>
    figure<Pair>(tier === 'self' ? 'load generator' : tier, (p) => cpuOf(p, tier)),
  ),
  figure<Pair>('total', (p) => int(totalCpu(p.s))),
];

const EVERY_RUN = [
  text<ThroughputRun>('route', (r) => routeCell(r.route)),
  text<ThroughputRun>('#', (r) => String(r.repeat)),
  text<ThroughputRun>('variant', (r) => r.variant),
  figure<ThroughputRun>('2xx', (r) => int(r.load.ok)),
  figure<ThroughputRun>('non-2xx', (r) => int(r.load.non2xx)),
  figure<ThroughputRun>('errors', (r) => int(r.load.errors)),
  figure<ThroughputRun>('s', (r) => fixed(r.load.seconds, 1)),
  figure<ThroughputRun>('req/s', (r) => int(r.load.requestsPerSecond)),
  figure<ThroughputRun>('p50 ms', (r) => fixed(r.load.p50Ms)),
  figure<ThroughputRun>('p99 ms', (r) => fixed(r.load.p99Ms)),
  figure<ThroughputRun>('round trips / req', (r) => fixed(r.roundTripsPerRequest)),
  figure<ThroughputRun>('other load (cores)', (r) => fixed(r.otherCores)),
  ...TIERS.map((tier) =>
    figure<ThroughputRun>(`${tier === 'self' ? 'load gen' : tier} µs`, (r) =>
      int(r.cpuMicrosPerRequest[tier]),
    ),
  ),
];

export const THROUGHPUT_SECTION: ReportSection = {
  title: 'Throughput and latency through nginx',
  measured: (results) => results.throughput.length > 0,
  blocks: ({ results: { plan, throughput }, summary }) => {
    const pairs = ROUTES.flatMap((route) =>
      VARIANTS.map((variant): Pair => ({ route, variant, s: summary[route][variant] })),
    );
    // Baton / baseline and so on: measured throughput, then what the CPU time per request implies.
    const quotients = [
      ['baton', 'baseline', times],
      ['baton', 'control', percent],
      ['baseline', 'control', percent],
    ] as const;
    const ratios = [
      text<Route>('route', routeCell),
      ...quotients.map(([a, b, format]) =>
        figure<Route>(`${named(a)} / ${b}`, (route) => format(ratio(summary, route, a, b))),
      ),
      ...quotients.map(([a, b, format]) =>
        figure<Route>(`${named(a)} / ${b} (CPU)`, (route) =>
          format(cpuRatio(summary, route, a, b)),
        ),
      ),
    ];
    return [
      `Closed loop with [autocannon](https://github.com/mcollina/autocannon) (driven from TypeScript, \`bench/src/load/load-generator.ts\`): ${plan.connections} keep-alive connections to the nginx edge, ${plan.durationSeconds} s per run, ${plan.repeats} interleaved repeat(s) (every repeat runs each route on ${VARIANTS.map((v) => VARIANT_LABEL[v]).join(', then ')}), after a ${plan.warmupSeconds} s warm-up per route and variant. Before each run Valkey is flushed and ${plan.sessions} sessions of 3 items are created through the edge; requests cycle through their cookies. \`POST\` adds one of the catalog's eight fruits to an existing session, the next one on each round over the sessions (\`apple\`, \`pear\`, … \`cherries\`, then \`apple\` again). Latency percentiles are exact over every 2xx response (not autocannon's 1 ms histogram). Valkey round trips per request: \`INFO commandstats\` over the run of the commands the variant's cart replicas send (those seen in [Valkey commands per request](#valkey-commands-per-request); never a script's inner commands: where a script runs a command the carts also send themselves, such as BatonStore's PEXPIRE, its count per script call is subtracted), less what the idle platform sends of them anyway (the gateways' background sweep, measured for ${plan.backgroundSeconds} s with no traffic), per request sent.`,
      '### Medians over the repeats',
      render(MEDIANS, pairs),
      render(ratios, ROUTES),
      'The first three ratios divide the median req/s. The "(CPU)" ones are what the CPU time per request below implies (throughput on a machine every tier shares follows 1 / total CPU per request): they move much less when other processes compete for the cores, as the "other load" column of [Every run](#every-run) shows they did.',
      '### CPU time per request (median µs)',
      'Every process of the variant is accounted from `/proc/<pid>/stat` (user + system) over the run and divided by the requests sent; "load generator" is the bench process itself. On this machine every tier shares the same cores, so throughput is bounded by the total.',
      render(CPU, pairs),
      '### Every run',
      render(EVERY_RUN, throughput),
    ];
  },
};
