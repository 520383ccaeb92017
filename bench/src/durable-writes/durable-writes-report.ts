import { median } from '../load/stats.js';
import { DURABLE_WRITES_SECTION } from '../report/side-bench-sections.js';
import { replicaLoadColumns } from '../report/replica-load-columns.js';
import { figure, render, text } from '../report/table.js';
import type { DurableWritesResults, Setting, WriteRun } from './durable-writes-bench.js';

const LABEL: Record<Setting, string> = { off: 'durable writes off', on: 'durable writes on' };

const EVERY_RUN = [
  figure<WriteRun>('#', (run) => String(run.repeat)),
  figure<WriteRun>('connections', (run) => String(run.connections)),
  text<WriteRun>('setting', (run) => LABEL[run.setting]),
  ...replicaLoadColumns<WriteRun>('writes'),
];

/** One row of the medians: a connection count and a setting. */
interface Cell {
  readonly connections: number;
  readonly setting: Setting;
}

/** The BENCHMARKS.md section of one durable-writes run, between its markers. */
export function renderDurableWritesSection(results: DurableWritesResults, command: string): string {
  const { plan } = results;
  const med = (connections: number, setting: Setting, pick: (run: WriteRun) => number) =>
    median(
      results.runs
        .filter((run) => run.setting === setting && run.connections === connections)
        .map(pick),
    );
  const of = (cell: Cell, pick: (run: WriteRun) => number) =>
    med(cell.connections, cell.setting, pick);
  const medians = [
    figure<Cell>('connections', (cell) => String(cell.connections)),
    text<Cell>('setting', (cell) => LABEL[cell.setting]),
    figure<Cell>('writes/s', (cell) =>
      Math.round(of(cell, (r) => r.requestsPerSecond)).toLocaleString('en-US'),
    ),
    figure<Cell>('p50 ms', (cell) => of(cell, (r) => r.p50Ms).toFixed(2)),
    figure<Cell>('p99 ms', (cell) => of(cell, (r) => r.p99Ms).toFixed(2)),
    figure<Cell>('WAITs / write', (cell) => of(cell, (r) => r.waitsPerWrite).toFixed(2)),
  ];
  const cells = plan.connections.flatMap((connections) =>
    (['off', 'on'] as const).map((setting): Cell => ({ connections, setting })),
  );
  const summary = plan.connections.map((c) => {
    const ratio =
      med(c, 'on', (r) => r.requestsPerSecond) / med(c, 'off', (r) => r.requestsPerSecond);
    const p50 = med(c, 'on', (r) => r.p50Ms) - med(c, 'off', (r) => r.p50Ms);
    return (
      `- ${c} connection(s) per replica: durable writes on / off **${ratio.toFixed(2)}x** the ` +
      `write throughput, ${p50 >= 0 ? '+' : ''}${p50.toFixed(2)} ms at the median.`
    );
  });
  return [
    DURABLE_WRITES_SECTION.begin,
    '',
    '## Durable writes (opt-in `WAIT`)',
    '',
    `Measured by \`${command}\` (${results.date}), separately from the runs above, on the same machine: Baton's cart replicas (\`bench/src/variants\`, the \`baton\` variant) with \`SESSION_DURABLE_WRITES_REPLICAS\` 0 (off) and 1 (on, \`WAIT 1 ${plan.timeoutMs}\` after each write), two replicas each, on one primary with one replica (\`--replicaof\`, both from \`infra/valkey/valkey.conf\`) on this machine. The load generator talks to the cart replicas directly, ${plan.connections.join(' then ')} keep-alive connection(s) to each at once, \`POST /cart/pear\` (one compare-and-set per request) cycling through ${plan.sessions} sessions, ${plan.seconds} s per run, ${plan.repeats} repeat(s) of both settings (alternating which goes first). WAITs per write: \`INFO commandstats\` on the primary over the run, per 2xx response. The replica is on loopback: across a network its acknowledgement adds a network round trip more. See [docs/cluster-and-sentinel.md](docs/cluster-and-sentinel.md) for what it buys. 1-minute load average before / after: ${results.loadAverage[0].toFixed(2)} / ${results.loadAverage[1].toFixed(2)} (other work shared the machine when above ~1).`,
    '',
    render(medians, cells),
    '',
    'Medians over the repeats, measured in the same run:',
    '',
    ...summary,
    '',
    render(EVERY_RUN, results.runs),
    '',
    DURABLE_WRITES_SECTION.end,
  ].join('\n');
}
