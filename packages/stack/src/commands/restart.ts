import { Command } from 'commander';
import { PROCESS_NAME_HELP } from './process-name-help.js';
import type { CommandContext } from './command-context.js';

export function restartCommand(context: CommandContext): Command {
  return new Command('restart')
    .description(
      'graceful restart of one process: stop (SIGTERM; nginx SIGQUIT), start, wait until ready',
    )
    .argument('<name>', PROCESS_NAME_HELP)
    .action(async (name: string) => {
      await context.stack().restart(name);
    });
}
