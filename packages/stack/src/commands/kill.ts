import { Command } from 'commander';
import { PROCESS_NAME_HELP } from './process-name-help.js';
import type { CommandContext } from './command-context.js';

export function killCommand(context: CommandContext): Command {
  return new Command('kill')
    .description('SIGKILL one process (no restart; `start` brings it back)')
    .argument('<name>', PROCESS_NAME_HELP)
    .action(async (name: string) => {
      await context.stack().kill(name);
    });
}
