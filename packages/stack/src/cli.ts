#!/usr/bin/env node
// baton-stack: the local stack runner's command line. Each verb is a thin wrapper over createStack().
import { Command } from 'commander';
import { deployCommand } from './commands/deploy.js';
import { downCommand } from './commands/down.js';
import { faultCommand } from './commands/fault.js';
import { formatEvent } from './commands/event-line.js';
import { killCommand } from './commands/kill.js';
import { restartCommand } from './commands/restart.js';
import { recreateCommand } from './commands/recreate.js';
import { rollingRestartCommand } from './commands/rolling-restart.js';
import { runCommand } from './commands/run.js';
import { scaleCommand } from './commands/scale.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { valkeyRestartCommand } from './commands/valkey-restart.js';
import type { CommandContext } from './commands/command-context.js';
import { StackError } from './errors.js';
import { PASS_THROUGH } from './options.js';
import { createStack } from './stack.js';
import type { Topology } from './topology.js';

const program = new Command('baton-stack')
  .description(
    'Run the Baton topology: valkey, nginx and replicas of every app (two each, until scaled)',
  )
  .option(
    '--driver <driver>',
    'local (processes on this machine) or compose (docker compose)',
    'local',
  )
  .option(
    '--topology <topology>',
    'how Valkey runs: standalone, sentinel (primary, replica, three sentinels) or cluster (three masters); local driver. Default: $BATON_TOPOLOGY, else standalone',
  )
  .option(
    '--faults',
    'put the fault proxy on every nginx → replica and replica → Valkey hop (local driver; `fault` sets them). Default: $BATON_FAULTS=1',
  )
  .addHelpText(
    'after',
    '\nEnvironment: EDGE_PORT (8080), VALKEY_PORT (6379), BATON_STACK_DIR (<repo>/.stack);\n' +
      `passed to the apps when set: ${PASS_THROUGH.join(', ')} (COOKIE_SECURE defaults to false).`,
  )
  .showHelpAfterError();

const print = (line: string) => process.stdout.write(`${line}\n`);
const context: CommandContext = {
  stack: () =>
    createStack({
      driver: program.opts<{ driver: 'local' | 'compose' }>().driver,
      topology: program.opts<{ topology?: Topology }>().topology,
      ...(program.opts<{ faults?: boolean }>().faults ? { faults: true } : {}),
      onEvent: (event) => print(formatEvent(event)),
    }),
  print,
};

for (const command of [
  upCommand,
  downCommand,
  statusCommand,
  restartCommand,
  killCommand,
  startCommand,
  rollingRestartCommand,
  valkeyRestartCommand,
  scaleCommand,
  deployCommand,
  recreateCommand,
  faultCommand,
  runCommand,
]) {
  program.addCommand(command(context));
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A StackError is expected and self-explanatory: one line. Anything else is a bug: the stack trace.
  process.stderr.write(
    error instanceof StackError
      ? `baton-stack: ${error.message}\n`
      : `${String((error as Error).stack ?? error)}\n`,
  );
  process.exitCode = 1;
}
