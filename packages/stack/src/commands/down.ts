import { Command } from 'commander';
import type { CommandContext } from './command-context.js';

export function downCommand(context: CommandContext): Command {
  return new Command('down')
    .description('stop every process of the stack; nothing is left running')
    .action(async () => {
      await context.stack().down();
      context.print('stack stopped');
    });
}
