import { Command } from 'commander';
import type { CommandContext } from './command-context.js';

export function valkeyRestartCommand(context: CommandContext): Command {
  return new Command('valkey-restart')
    .description('restart Valkey keeping its data (SIGTERM fsyncs the AOF; the restart replays it)')
    .action(async () => {
      await context.stack().valkeyRestart();
    });
}
