import { Command } from 'commander';
import { PROCESS_NAMES } from '../topology.js';
import type { CommandContext } from './command-context.js';

export function killCommand(context: CommandContext): Command {
  return new Command('kill')
    .description('SIGKILL one process (no restart; `start` brings it back)')
    .argument('<name>', PROCESS_NAMES.join(' | '))
    .action(async (name: string) => {
      await context.stack().kill(name);
    });
}
