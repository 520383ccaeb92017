import type { BenchResults } from '../results.js';
import { ROUTES } from '../scenarios/throughput.js';
import { VARIANTS, VARIANT_LABEL } from '../variants/variant.js';
import { missesSection, profileSection } from './analysis.js';
import { consistencySection, memorySection, roundTripSection, scaleSection } from './sections.js';
import {
  type ThroughputSummary,
  cpuRatio,
  evaluateTargets,
  ratio,
  summarizeThroughput,
} from './summary.js';
import { fixed, int, percent, table, times } from './table.js';

/**
 * BENCHMARKS.md: the targets first, then every measurement with its raw figures, then how the
 * run was made. Everything is rendered from one run's results; nothing is typed in by hand.
 */
export function renderMarkdown(
  results: BenchResults,
  links: { chart: string; readme: string },
): string {
  const summary = summarizeThroughput(results);
  const targets = evaluateTargets(results, summary);
  const quick = results.plan.mode === 'quick';
  const blocks = [
    '# Benchmarks: Baton against the usual Node session stack',
    [
      `Three variants of the article's cart routes, measured in **one run** (\`${results.command}\`, ${results.startedAt}) on the same machine, the same Valkey and the same nginx topology (edge → 2 gateways → 2 cart replicas): **Baton** (\`@baton/session\`), the **baseline** most Node teams run today (Express 5 + express-session + connect-redis 10 on node-redis, \`resave: false\`, \`saveUninitialized: false\`) and a **no-session control** (same hops, same handler, no session work).`,
      `This file is written by \`npm run bench\` (see [bench/README.md](${links.readme})); do not edit it, rerun it.`,
      quick
        ? '**This is a `--quick` smoke run: its durations are too short for its timings to mean anything.**'
        : '',
    ]
      .filter(Boolean)
      .join(' '),
    `![Throughput and p99 latency of the four variants](${links.chart})`,
    '## Targets',
    table(
      ['target', 'measured', 'met', 'margin'],
      targets.map((t) => [
        t.target,
        t.measured,
        t.met === undefined ? 'not measured' : t.met ? 'yes' : '**no**',
        t.margin,
      ]),
    ),
    'Targets are reported, never asserted: the bench fails only when a variant does not start or answers with an error. Where one is missed, [Where targets are missed](#where-targets-are-missed) says by how much and what the CPU accounting and the profile show as the cost.',
    ...throughputSection(results, summary),
    ...roundTripSection(results),
    ...consistencySection(results),
    ...memorySection(results),
    ...scaleSection(results),
    ...profileSection(results, summary),
    ...missesSection(results, summary, targets),
    ...problemsSection(results),
    ...setupSection(results),
  ];
  return `${blocks.filter((b) => b !== '').join('\n\n')}\n`;
}

/** @private */
function throughputSection(results: BenchResults, summary: ThroughputSummary): string[] {
  const { plan } = results;
  if (results.throughput.length === 0)
    return ['## Throughput and latency through nginx', 'Not measured (see Problems).'];
  const medians = ROUTES.flatMap((route) =>
    VARIANTS.map((variant) => {
      const s = summary[route][variant];
      return [
        `\`${route}\``,
        VARIANT_LABEL[variant],
        int(s?.requestsPerSecond ?? Number.NaN),
        fixed(s?.p50Ms ?? Number.NaN),
        fixed(s?.p99Ms ?? Number.NaN),
        fixed(s?.roundTripsPerRequest ?? Number.NaN),
      ];
    }),
  );
  const ratios = ROUTES.map((route) => [
    `\`${route}\``,
    times(ratio(summary, route, 'baton', 'baseline')),
    percent(ratio(summary, route, 'baton', 'control')),
    percent(ratio(summary, route, 'baseline', 'control')),
    times(cpuRatio(summary, route, 'baton', 'baseline')),
    percent(cpuRatio(summary, route, 'baton', 'control')),
    percent(cpuRatio(summary, route, 'baseline', 'control')),
  ]);
  const cpu = ROUTES.flatMap((route) =>
    VARIANTS.map((variant) => {
      const c = summary[route][variant]?.cpuMicrosPerRequest;
      const total = c ? c.nginx + c.gateways + c.carts + c.valkey + c.self : Number.NaN;
      return [
        `\`${route}\``,
        VARIANT_LABEL[variant],
        ...[c?.nginx, c?.gateways, c?.carts, c?.valkey, c?.self, total].map((v) =>
          int(v ?? Number.NaN),
        ),
      ];
    }),
  );
  const raw = results.throughput.map((r) => [
    `\`${r.route}\``,
    String(r.repeat),
    r.variant,
    int(r.load.ok),
    int(r.load.non2xx),
    int(r.load.errors),
    fixed(r.load.seconds, 1),
    int(r.load.requestsPerSecond),
    fixed(r.load.p50Ms),
    fixed(r.load.p99Ms),
    fixed(r.roundTripsPerRequest),
    fixed(r.otherCores),
    ...[
      r.cpuMicrosPerRequest.nginx,
      r.cpuMicrosPerRequest.gateways,
      r.cpuMicrosPerRequest.carts,
      r.cpuMicrosPerRequest.valkey,
      r.cpuMicrosPerRequest.self,
    ].map(int),
  ]);
  const right = (n: number, left = 2) =>
    Array.from({ length: n }, (_, i) => (i < left ? 'left' : 'right') as 'left' | 'right');
  return [
    '## Throughput and latency through nginx',
    `Closed loop with [autocannon](https://github.com/mcollina/autocannon) (driven from TypeScript, \`bench/src/load/load-generator.ts\`): ${plan.connections} keep-alive connections to the nginx edge, ${plan.durationSeconds} s per run, ${plan.repeats} interleaved repeat(s) (every repeat runs each route on Baton, then the baseline, then express-session + BatonStore, then the control), after a ${plan.warmupSeconds} s warm-up per route and variant. Before each run Valkey is flushed and ${plan.sessions} sessions of 3 items are created through the edge; requests cycle through their cookies. \`POST\` adds \`apple\` to an existing session. Latency percentiles are exact over every 2xx response (not autocannon's 1 ms histogram). Valkey round trips per request: \`INFO commandstats\` over the run of the commands the variant's cart replicas send (those seen in [Valkey commands per request](#valkey-commands-per-request); never a script's inner commands: where a script runs a command the carts also send themselves, such as BatonStore's PEXPIRE, its count per script call is subtracted), less what the idle platform sends of them anyway (the gateways' background sweep, measured for ${plan.backgroundSeconds} s with no traffic), per request sent.`,
    '### Medians over the repeats',
    table(
      ['route', 'variant', 'req/s', 'p50 ms', 'p99 ms', 'Valkey round trips / request'],
      medians,
      right(6),
    ),
    table(
      [
        'route',
        'Baton / baseline',
        'Baton / control',
        'baseline / control',
        'Baton / baseline (CPU)',
        'Baton / control (CPU)',
        'baseline / control (CPU)',
      ],
      ratios,
      right(7, 1),
    ),
    'The first three ratios divide the median req/s. The "(CPU)" ones are what the CPU time per request below implies (throughput on a machine every tier shares follows 1 / total CPU per request): they move much less when other processes compete for the cores, as the "other load" column of [Every run](#every-run) shows they did.',
    '### CPU time per request (median µs)',
    'Every process of the variant is accounted from `/proc/<pid>/stat` (user + system) over the run and divided by the requests sent; "load generator" is the bench process itself. On this machine every tier shares the same cores, so throughput is bounded by the total.',
    table(
      ['route', 'variant', 'nginx', 'gateways', 'carts', 'valkey', 'load generator', 'total'],
      cpu,
      right(8),
    ),
    '### Every run',
    table(
      [
        'route',
        '#',
        'variant',
        '2xx',
        'non-2xx',
        'errors',
        's',
        'req/s',
        'p50 ms',
        'p99 ms',
        'round trips / req',
        'other load (cores)',
        'nginx µs',
        'gateways µs',
        'carts µs',
        'valkey µs',
        'load gen µs',
      ],
      raw,
      right(17, 3),
    ),
  ];
}

/** @private */
function problemsSection(results: BenchResults): string[] {
  if (results.problems.length === 0) return [];
  return [
    '## Problems',
    'This run did not complete cleanly; the bench exited with status 1.',
    results.problems.map((p) => `- ${p}`).join('\n'),
  ];
}

/** @private */
function setupSection(results: BenchResults): string[] {
  const m = results.machine;
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const rows: [string, string][] = [
    ['command', `\`${results.command}\` (builds everything first)`],
    ['date', results.startedAt],
    ['duration of the whole run', `${results.durationSeconds.toFixed(0)} s`],
    ['git', m.git],
    ['CPU', `${m.cores} cores, ${m.cpuModel}`],
    ['memory', `${m.memoryGiB.toFixed(1)} GiB`],
    ['kernel', m.kernel],
    ['load average (1/5/15 min) before', load(results.loadBefore)],
    ['load average (1/5/15 min) after', load(results.loadAfter)],
    ['Node', m.node],
    ['Valkey', m.valkey],
    ['nginx', m.nginx],
    ...Object.entries(m.packages).map(([name, version]): [string, string] => [name, version]),
  ];
  return [
    '## How this run was made',
    table(
      ['', ''],
      rows.map(([k, v]) => [k, v]),
    ),
    [
      "- **Topology, per variant**: nginx rendered from `infra/nginx/baton.conf.template` with `@baton/stack`'s `renderTemplate` and `nginxMainConfig` (2 workers, shared-zone round-robin, upstream keep-alive), the real `@baton/gateway` ×2 as the working tree has it (the same code for all four: it loads no session per HTTP request, and runs the same background work in every variant — indexed mode's sweep and session events for `/ws`; `LOG_LEVEL=warn` for every app), and the variant's cart ×2 (`bench/src/variants/`). All on free 127.0.0.1 ports; the four stacks stay up for the whole run and only the one being measured gets traffic.",
      `- **Valkey**: one \`${results.valkeyCommandLine}\`, shared by the four variants and flushed (\`FLUSHALL SYNC\`) before every measurement. \`maxmemory 0\` overrides the config's 256mb, which a million sessions would exceed; everything else (AOF everysec, keyspace events, noeviction) is the project's.`,
      "- **Same handler** (`bench/src/variants/cart-app.ts`): the article's `POST /cart/:item` → `{servedBy, sessionId, cart}` and `GET /cart` → `{servedBy, cart}`, with `cart` an array of item names. Only the storage differs: Baton appends with `req.session.update()` (compare-and-set) and reads `req.session.get()`; the baseline reads `req.session.cart`, pushes, and lets express-session save the whole session; the control answers a fixed 3-item cart.",
      "- **Cookies**: Baton's `SESSION` cookie becomes `X-Auth-Token` at the gateway (as in the platform); express-session's signed `connect.sid` passes through the gateway to the cart replicas; the control gets a `SESSION` cookie of the same size that nothing reads.",
    ].join('\n'),
    '## Rerun',
    [
      '```sh',
      'npm ci',
      'npm run bench             # this file, bench/chart.svg and bench/results/full.json (raw figures)',
      'npm run bench -- --quick  # the CI smoke test: bench/results/BENCHMARKS.quick.md, exit 1 on any error',
      '```',
    ].join('\n'),
  ];
}
