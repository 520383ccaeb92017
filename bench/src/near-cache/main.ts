import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ProcessSupervisor } from '../stack/supervisor.js';
import { NEAR_CACHE_FULL, NEAR_CACHE_QUICK, runNearCacheBench } from './near-cache-bench.js';
import { renderNearCacheSection, withNearCacheSection } from './near-cache-report.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

const flags = new Command('baton-bench-near-cache')
  .description('The session near cache off and on: throughput, hit rate, stale reads')
  .option(
    '--quick',
    'a few seconds: checks that it works; prints, never writes BENCHMARKS.md',
    false,
  )
  .parse()
  .opts<{ quick: boolean }>();

const supervisor = new ProcessSupervisor();
supervisor.installExitHandlers(console.log, async () => {});
const plan = flags.quick ? NEAR_CACHE_QUICK : NEAR_CACHE_FULL;
const command = flags.quick
  ? 'npm run bench:near-cache -w @baton/bench -- --quick'
  : 'npm run bench:near-cache -w @baton/bench';
const results = await runNearCacheBench(supervisor, root, plan, console.log);
const section = renderNearCacheSection(results, command);
console.log(`\n${section}`);
const failed = results.runs.reduce((sum, run) => sum + run.failed, 0);
if (!flags.quick) {
  // Only this section of BENCHMARKS.md is rewritten; `npm run bench` keeps it when it rewrites the rest.
  const file = path.join(root, 'BENCHMARKS.md');
  await writeFile(file, withNearCacheSection(await readFile(file, 'utf8'), section));
  console.log(`\nwrote the near-cache section of ${file}`);
}
process.exit(failed > 0 ? 1 : 0);
