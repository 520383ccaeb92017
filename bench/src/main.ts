import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { FULL_PLAN, QUICK_PLAN } from './plan.js';
import { renderChart } from './report/chart.js';
import { renderMarkdown } from './report/markdown.js';
import type { BenchResults } from './results.js';
import { runBench } from './run-bench.js';
import { SIDE_BENCH_SECTIONS } from './report/side-bench-sections.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

const program = new Command('baton-bench')
  .description(
    'Baton against express-session + connect-redis and a no-session control, side by side',
  )
  .option('--quick', 'a few seconds per variant: the CI smoke test (asserts no timing)', false)
  .option(
    '--out <file>',
    'where to write the report (default: BENCHMARKS.md, or bench/results/BENCHMARKS.quick.md with --quick)',
  )
  .option(
    '--chart <file>',
    'where to write the SVG chart (default: bench/chart.svg, or bench/results/chart.quick.svg with --quick)',
  )
  .option(
    '--keep-temp',
    'keep the temporary directory (logs, nginx config, profiles) for inspection',
    false,
  )
  .option(
    '--from-results <file>',
    'measure nothing: render the report and chart again from a results file (bench/results/full.json)',
  )
  .parse();

const flags = program.opts<{
  quick: boolean;
  out?: string;
  chart?: string;
  keepTemp: boolean;
  fromResults?: string;
}>();
// npm runs workspace scripts in the workspace; relative paths are the caller's (INIT_CWD).
const cwd = process.env.INIT_CWD ?? process.cwd();
const out = path.resolve(
  cwd,
  flags.out ?? path.join(root, flags.quick ? 'bench/results/BENCHMARKS.quick.md' : 'BENCHMARKS.md'),
);
const chart = path.resolve(
  cwd,
  flags.chart ?? path.join(root, flags.quick ? 'bench/results/chart.quick.svg' : 'bench/chart.svg'),
);

let results: BenchResults;
let json: string | undefined;
if (flags.fromResults) {
  results = JSON.parse(
    await readFile(path.resolve(cwd, flags.fromResults), 'utf8'),
  ) as BenchResults;
} else {
  const plan = flags.quick ? QUICK_PLAN : FULL_PLAN;
  const command = flags.quick ? 'npm run bench -- --quick' : 'npm run bench';
  results = await runBench({ root, plan, command, keepTemp: flags.keepTemp });
  json = path.join(root, 'bench', 'results', `${plan.mode}.json`);
  await mkdir(path.dirname(json), { recursive: true });
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
}

const relative = (file: string) => path.relative(path.dirname(out), file).split(path.sep).join('/');
await mkdir(path.dirname(out), { recursive: true });
await mkdir(path.dirname(chart), { recursive: true });
await writeFile(chart, renderChart(results));
const previous = await readFile(out, 'utf8').catch(() => '');
let report = renderMarkdown(results, {
  chart: relative(chart),
  readme: relative(path.join(root, 'bench', 'README.md')),
});
// The side benches' sections are written by their own commands alone
// (`npm run bench:near-cache`, `npm run bench:durable-writes`): keep them.
for (const marked of SIDE_BENCH_SECTIONS) {
  const kept = marked.of(previous);
  if (kept) report = marked.replaceIn(report, kept);
}
await writeFile(out, report);
const written = [out, chart, ...(json ? [json] : [])].map((f) => path.relative(cwd, f));
console.error(`wrote ${written.join(', ')} (a run of ${results.durationSeconds.toFixed(0)} s)`);
if (results.problems.length > 0) {
  console.error(`\n${results.problems.length} problem(s):\n  ${results.problems.join('\n  ')}`);
  process.exitCode = 1;
}
