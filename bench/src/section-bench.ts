import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { MarkedSection } from './report/marked-section.js';
import { ProcessSupervisor } from '@baton/process-supervisor';

/**
 * A side bench: one opt-in measured off and on, apart from the full bench, writing its own
 * section of BENCHMARKS.md (`npm run bench:near-cache`, `npm run bench:durable-writes`).
 */
export interface SectionBench<Plan, Results extends { readonly runs: readonly Failures[] }> {
  /** The command's name in `--help`. */
  readonly name: string;
  readonly description: string;
  readonly plans: { readonly full: Plan; readonly quick: Plan };
  /** How to run it, as the section quotes it: without and with `--quick`. */
  readonly commands: { readonly full: string; readonly quick: string };
  /** Where its figures go in BENCHMARKS.md. */
  readonly section: MarkedSection;
  run(
    supervisor: ProcessSupervisor,
    root: string,
    plan: Plan,
    log: (line: string) => void,
  ): Promise<Results>;
  render(results: Results, command: string): string;
}

interface Failures {
  readonly failed: number;
}

/** The repository root, from `dist/src/`. */
const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Runs a side bench as its command-line program: measures, prints the section, and (without
 * `--quick`) rewrites that section of BENCHMARKS.md, nothing else. Exits 1 when any request
 * failed; every process it started is stopped by its PID, also on Ctrl+C.
 */
export async function runSectionBench<Plan, Results extends { readonly runs: readonly Failures[] }>(
  bench: SectionBench<Plan, Results>,
): Promise<never> {
  const flags = new Command(bench.name)
    .description(bench.description)
    .option(
      '--quick',
      'a few seconds: checks that it works; prints, never writes BENCHMARKS.md',
      false,
    )
    .parse()
    .opts<{ quick: boolean }>();

  const supervisor = new ProcessSupervisor();
  supervisor.installExitHandlers(console.log, async () => {});
  const plan = flags.quick ? bench.plans.quick : bench.plans.full;
  const command = flags.quick ? bench.commands.quick : bench.commands.full;
  const results = await bench.run(supervisor, root, plan, console.log);
  const section = bench.render(results, command);
  console.log(`\n${section}`);
  const failed = results.runs.reduce((sum, run) => sum + run.failed, 0);
  if (!flags.quick) {
    // Only this section of BENCHMARKS.md is rewritten; `npm run bench` keeps it when it rewrites the rest.
    const file = path.join(root, 'BENCHMARKS.md');
    await writeFile(file, bench.section.replaceIn(await readFile(file, 'utf8'), section));
    console.log(`\nwrote the ${bench.section.name} section of ${file}`);
  }
  process.exit(failed > 0 ? 1 : 0);
}
