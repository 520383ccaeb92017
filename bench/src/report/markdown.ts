import type { BenchResults } from '../results.js';
import { GATEWAY_PROFILE_SECTION, PROFILE_SECTION } from './analysis.js';
import { GATEWAY_ALONE_SECTION } from './gateway-section.js';
import { type ReportContext, type ReportSection, renderSection } from './report-section.js';
import {
  CONSISTENCY_SECTION,
  MEMORY_SECTION,
  ROUND_TRIPS_SECTION,
  SCALE_SECTION,
} from './store-sections.js';
import { summarizeThroughput } from './summary.js';
import { render, text } from './table.js';
import { MISSES_SECTION, TARGETS_SECTION, evaluateTargets } from './targets.js';
import { THROUGHPUT_SECTION } from './throughput-section.js';

const PROBLEMS_SECTION: ReportSection = {
  title: 'Problems',
  shown: ({ results }) => results.problems.length > 0,
  blocks: ({ results }) => [
    'This run did not complete cleanly; the bench exited with status 1.',
    results.problems.map((p) => `- ${p}`).join('\n'),
  ],
};

const SETUP = [text<[string, string]>('', ([k]) => k), text<[string, string]>('', ([, v]) => v)];

const SETUP_SECTION: ReportSection = {
  title: 'How this run was made',
  blocks: ({ results }) => [
    render(SETUP, setupRows(results)),
    [
      "- **Topology, per variant**: nginx rendered from `infra/nginx/baton.conf.template` with `@baton/stack`'s `renderTemplate` and `nginxMainConfig` (2 workers, shared-zone round-robin, upstream keep-alive), the real `@baton/gateway` ×2 as the working tree has it (the same code for all five: it loads no session per HTTP request, and runs the same background work in every variant — indexed mode's sweep and session events for `/ws`; `LOG_LEVEL=warn` for every app), and the variant's cart ×2 (`bench/src/variants/`, or `apps/cart-service` itself). All on free 127.0.0.1 ports; the five stacks stay up for the whole run and only the one being measured gets traffic.",
      `- **Valkey**: one \`${results.valkeyCommandLine}\`, shared by the five variants and flushed (\`FLUSHALL SYNC\`) before every measurement. \`maxmemory 0\` overrides the config's 256mb, which a million sessions would exceed; everything else (AOF everysec, keyspace events, noeviction) is the project's.`,
      "- **Same handler** (`bench/src/variants/cart-app.ts`): the article's `POST /cart/:item` → `{servedBy, sessionId, cart}` and `GET /cart` → `{servedBy, cart}`, with `cart` an array of item names. Only the storage differs: Baton appends with `req.session.update()` (compare-and-set) and reads `req.session.get()`; the baseline reads `req.session.cart`, pushes, and lets express-session save the whole session; the control answers a fixed 3-item cart. cart-service runs its own code for both routes (`apps/cart-service/src/cart/demo-routes.ts`): lines of skus and quantities, priced from the catalog, every add an `updateOnce()` with the `Idempotency-Key` the gateway gives it. `POST /cart/:item` adds the catalog's eight fruits in turn (each round over the sessions the next one), for every variant alike, so no cart-service line passes its limit of 99.",
      "- **Cookies**: Baton's `SESSION` cookie becomes `X-Auth-Token` at the gateway (as in the platform); express-session's signed `connect.sid` passes through the gateway to the cart replicas; the control gets a `SESSION` cookie of the same size that nothing reads.",
    ].join('\n'),
  ],
};

const RERUN_SECTION: ReportSection = {
  title: 'Rerun',
  blocks: () => [
    [
      '```sh',
      'npm ci',
      'npm run bench             # this file, bench/chart.svg and bench/results/full.json (raw figures)',
      'npm run bench -- --quick  # the CI smoke test: bench/results/BENCHMARKS.quick.md, exit 1 on any error',
      '```',
    ].join('\n'),
  ],
};

/** BENCHMARKS.md's sections, in order; each says for itself when it is there and what it holds. */
export const REPORT_SECTIONS: readonly ReportSection[] = [
  TARGETS_SECTION,
  THROUGHPUT_SECTION,
  ROUND_TRIPS_SECTION,
  CONSISTENCY_SECTION,
  MEMORY_SECTION,
  SCALE_SECTION,
  PROFILE_SECTION,
  GATEWAY_PROFILE_SECTION,
  GATEWAY_ALONE_SECTION,
  MISSES_SECTION,
  PROBLEMS_SECTION,
  SETUP_SECTION,
  RERUN_SECTION,
];

/**
 * BENCHMARKS.md: the targets first, then every measurement with its raw figures, then how the
 * run was made. Everything is rendered from one run's results; nothing is typed in by hand.
 */
export function renderMarkdown(
  results: BenchResults,
  links: { chart: string; readme: string },
): string {
  const summary = summarizeThroughput(results);
  const ctx: ReportContext = {
    results,
    summary,
    targets: evaluateTargets(results, summary),
    links,
  };
  const quick = results.plan.mode === 'quick';
  const blocks = [
    '# Benchmarks: Baton against the usual Node session stack',
    [
      `Five variants of the article's cart routes, measured in **one run** (\`${results.command}\`, ${results.startedAt}) on the same machine, the same Valkey and the same nginx topology (edge → 2 gateways → 2 cart replicas): **Baton** (\`@baton/session\` in a minimal cart), **cart-service as shipped** (the real \`apps/cart-service\`: its middleware, catalog, idempotency records and live-update publish, on the same routes), the **baseline** most Node teams run today (Express 5 + express-session + connect-redis 10 on node-redis, \`resave: false\`, \`saveUninitialized: false\`), **express-session + BatonStore** (the baseline with its store line changed) and a **no-session control** (same hops, same handler, no session work).`,
      `The machine is shared: ${results.machine.cores} cores, with other work running beside the bench (the load averages in [How this run was made](#how-this-run-was-made)), so absolute CPU figures are inflated and noisy; the ratios of variants measured in the same run, interleaved, are what count.`,
      `This file is written by \`npm run bench\` (see [bench/README.md](${links.readme})); do not edit it, rerun it.`,
      quick
        ? '**This is a `--quick` smoke run: its durations are too short for its timings to mean anything.**'
        : '',
    ]
      .filter(Boolean)
      .join(' '),
    `![Throughput and p99 latency of the five variants](${links.chart})`,
    ...REPORT_SECTIONS.flatMap((section) => renderSection(section, ctx)),
  ];
  return `${blocks.filter((b) => b !== '').join('\n\n')}\n`;
}

/** @private The rows of "How this run was made": the command, the machine, the versions. */
function setupRows(results: BenchResults): [string, string][] {
  const m = results.machine;
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  return [
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
}
