#!/usr/bin/env node
// npm run chaos -- --seed N --minutes M [--topology sentinel]: the seeded soak (see README.md).
import { Command, InvalidArgumentError } from 'commander';
import { runSoak } from './soak.js';

const number = (name: string, min: number, max: number) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
  }
  return parsed;
};

const program = new Command('chaos')
  .description('seeded chaos soak against a local stack of its own, with a history checker')
  .option(
    '--seed <n>',
    'the schedule seed (a run is replayed by it)',
    number('--seed', 0, 2 ** 32 - 1),
  )
  .option('--minutes <m>', 'how long the clients run', number('--minutes', 0.25, 240), 2)
  .option('--topology <topology>', 'standalone, or sentinel (adds a failover)', 'standalone')
  .action(async (opts: { seed?: number; minutes: number; topology: string }) => {
    if (opts.topology !== 'standalone' && opts.topology !== 'sentinel') {
      throw new InvalidArgumentError('--topology must be standalone or sentinel');
    }
    const seed = Math.floor(opts.seed ?? Math.random() * 2 ** 32);
    const print = (line: string) => process.stdout.write(`${line}\n`);
    const replay = `npm run chaos -- --seed ${seed} --minutes ${opts.minutes} --topology ${opts.topology}`;
    const result = await runSoak({ seed, minutes: opts.minutes, topology: opts.topology, print });
    const c = result.counts;
    print(
      `chaos: seed=${seed} operations=${c.operations} acknowledgedAdds=${c.acknowledgedAdds} failedAdds=${c.failedAdds} reads=${c.reads} failedReads=${c.failedReads} violations=${result.violations.length}`,
    );
    for (const v of result.violations)
      print(`VIOLATION ${v.rule} ${v.client}: ${v.detail} — replay: ${replay}`);
    process.exitCode = result.violations.length === 0 ? 0 : 1;
  });

await program.parseAsync(process.argv);
