import { median } from '../load/stats.js';
import { NEAR_CACHE_SECTION } from '../report/side-bench-sections.js';
import { replicaLoadColumns } from '../report/replica-load-columns.js';
import { figure, render, text } from '../report/table.js';
import type { NearCacheResults, Setting, StaleRun, ThroughputRun } from './near-cache-bench.js';

const LABEL: Record<Setting, string> = { off: 'near cache off', on: 'near cache on' };

const EVERY_RUN = [
  figure<ThroughputRun>('#', (run) => String(run.repeat)),
  text<ThroughputRun>('setting', (run) => LABEL[run.setting]),
  ...replicaLoadColumns<ThroughputRun>('req'),
  figure<ThroughputRun>('loads / request', (run) => run.loadsPerRequest.toFixed(3)),
  figure<ThroughputRun>('carts µs', (run) => Math.round(run.cartCpuUs).toString()),
  figure<ThroughputRun>('valkey µs', (run) => Math.round(run.valkeyCpuUs).toString()),
];

const ms = (values: number[], pick: (sorted: number[]) => number | undefined) =>
  values.length === 0 ? '-' : (pick([...values].sort((a, b) => a - b)) as number).toFixed(2);

const STALE = [
  text<StaleRun>('setting', (run) => LABEL[run.setting]),
  figure<StaleRun>('pairs', (run) => String(run.pairs)),
  figure<StaleRun>('stale reads', (run) => String(run.stale)),
  figure<StaleRun>('share', (run) => `${((100 * run.stale) / run.pairs).toFixed(1)}%`),
  figure<StaleRun>('window median ms', (run) =>
    ms(run.windowsMs, (s) => s[Math.floor(s.length / 2)]),
  ),
  figure<StaleRun>('window max ms', (run) => ms(run.windowsMs, (s) => s.at(-1))),
];

/** The BENCHMARKS.md section of one near-cache run, between its markers. */
export function renderNearCacheSection(results: NearCacheResults, command: string): string {
  const { plan } = results;
  const of = (setting: Setting) => results.runs.filter((run) => run.setting === setting);
  const med = (setting: Setting, pick: (run: NearCacheResults['runs'][number]) => number) =>
    median(of(setting).map(pick));
  const medians = [
    text<Setting>('setting', (setting) => LABEL[setting]),
    figure<Setting>('req/s', (setting) =>
      Math.round(med(setting, (r) => r.requestsPerSecond)).toLocaleString('en-US'),
    ),
    figure<Setting>('p50 ms', (setting) => med(setting, (r) => r.p50Ms).toFixed(2)),
    figure<Setting>('p99 ms', (setting) => med(setting, (r) => r.p99Ms).toFixed(2)),
    figure<Setting>('Valkey loads / request', (setting) =>
      med(setting, (r) => r.loadsPerRequest).toFixed(3),
    ),
    // Loads of requests still in flight when a run ends can push it a hair over one per response.
    figure<Setting>(
      'hit rate',
      (setting) => `${Math.max(0, 100 * (1 - med(setting, (r) => r.loadsPerRequest))).toFixed(1)}%`,
    ),
    figure<Setting>('carts CPU µs / request', (setting) =>
      Math.round(med(setting, (r) => r.cartCpuUs)).toString(),
    ),
    figure<Setting>('valkey CPU µs / request', (setting) =>
      Math.round(med(setting, (r) => r.valkeyCpuUs)).toString(),
    ),
  ];
  const cpu = (setting: Setting) =>
    med(setting, (r) => r.cartCpuUs) + med(setting, (r) => r.valkeyCpuUs);
  const ratio = med('on', (r) => r.requestsPerSecond) / med('off', (r) => r.requestsPerSecond);
  return [
    NEAR_CACHE_SECTION.begin,
    '## Near cache (opt-in)',
    '',
    `Measured by \`${command}\` (${results.date}), separately from the runs above, on the same machine: Baton's cart replicas (\`bench/src/variants\`, the \`baton\` variant) with \`SESSION_NEAR_CACHE\` off and on, two replicas each on one Valkey. The load generator talks to the replicas directly, ${plan.connections} keep-alive connections to each at once (what nginx's round robin does, without the edge and gateway hops, so the figures are the session layer's), \`GET /cart\` cycling through ${plan.sessions} sessions of 3 items, ${plan.seconds} s per run, ${plan.repeats} repeat(s) of both settings (alternating which goes first). Valkey loads per request: \`INFO commandstats\` script calls over the run, per 2xx response; the hit rate is one minus that. See [docs/near-cache.md](docs/near-cache.md) for what the near cache gives up. 1-minute load average ${results.load.before.toFixed(2)} before and ${results.load.after.toFixed(2)} after, on ${results.load.cores} cores: above the core count, other work shared the machine, so read the ratio of the same run, not the absolute figures.`,
    '',
    render(medians, ['off', 'on'] as const),
    '',
    `Near cache on / off: **${ratio.toFixed(2)}x** the throughput, and **${(cpu('off') / cpu('on')).toFixed(2)}x** the requests per CPU second of the carts and Valkey together (medians over the repeats; the CPU figures, from \`/proc/<pid>/stat\`, move much less than throughput when other work competes for the cores).`,
    '',
    render(EVERY_RUN, results.runs),
    '',
    '### Stale reads from a two-node run',
    '',
    `One session, two replicas (separate processes): read it on one replica (so that replica holds the current version), add an item through the other, and the moment that add answered, read on the first replica. A read that lacks the item acknowledged just before it is stale. Nothing waits for the invalidation: this is the worst case for the near cache, a client whose next request lands on another node as fast as loopback HTTP allows. After a stale read the bench reads again on that replica until the item is there: the window is the time from the add's response to that read's response.`,
    '',
    render(STALE, results.stale),
    NEAR_CACHE_SECTION.end,
  ].join('\n');
}
