import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ProcessSupervisor } from '../stack/supervisor.js';
import {
  DURABLE_WRITES_FULL,
  DURABLE_WRITES_QUICK,
  runDurableWritesBench,
} from './durable-writes-bench.js';
import { renderDurableWritesSection, withDurableWritesSection } from './durable-writes-report.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

const flags = new Command('baton-bench-durable-writes')
  .description('Session writes with durableWrites (WAIT) off and on: throughput and latency')
  .option(
    '--quick',
    'a few seconds: checks that it works; prints, never writes BENCHMARKS.md',
    false,
  )
  .parse()
  .opts<{ quick: boolean }>();

const supervisor = new ProcessSupervisor();
supervisor.installExitHandlers(console.log, async () => {});
const plan = flags.quick ? DURABLE_WRITES_QUICK : DURABLE_WRITES_FULL;
const command = flags.quick
  ? 'npm run bench:durable-writes -- --quick'
  : 'npm run bench:durable-writes';
const results = await runDurableWritesBench(supervisor, root, plan, console.log);
const section = renderDurableWritesSection(results, command);
console.log(`\n${section}`);
const failed = results.runs.reduce((sum, run) => sum + run.failed, 0);
if (!flags.quick) {
  // Only this section of BENCHMARKS.md is rewritten; `npm run bench` keeps it when it rewrites the rest.
  const file = path.join(root, 'BENCHMARKS.md');
  await writeFile(file, withDurableWritesSection(await readFile(file, 'utf8'), section));
  console.log(`\nwrote the durable-writes section of ${file}`);
}
process.exit(failed > 0 ? 1 : 0);
