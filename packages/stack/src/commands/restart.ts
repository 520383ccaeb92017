import { Command } from 'commander';
import { PROCESS_NAMES } from '../topology.js';
import type { CommandContext } from './command-context.js';

export function restartCommand(context: CommandContext): Command {
  return new Command('restart')
    .description(
      'graceful restart of one process: stop (SIGTERM; nginx SIGQUIT), start, wait until ready',
    )
    .argument('<name>', PROCESS_NAMES.join(' | '))
    .action(async (name: string) => {
      await context.stack().restart(name);
    });
}
