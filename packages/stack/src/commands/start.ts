import { Command } from 'commander';
import { PROCESS_NAME_HELP } from './process-name-help.js';
import type { CommandContext } from './command-context.js';

export function startCommand(context: CommandContext): Command {
  return new Command('start')
    .description('start a stopped process and wait until it is ready')
    .argument('<name>', PROCESS_NAME_HELP)
    .action(async (name: string) => {
      await context.stack().start(name);
    });
}
