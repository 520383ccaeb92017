import { Command } from 'commander';
import type { CommandContext } from './command-context.js';

export function upCommand(context: CommandContext): Command {
  return new Command('up')
    .description('start the whole stack detached; returns when every process is ready')
    .action(async () => {
      const stack = context.stack();
      try {
        await stack.up();
      } catch (error) {
        // A half-started stack is a surprise later: leave nothing running, report the cause.
        await stack.down().catch(() => {});
        throw error;
      }
      context.print(`stack ready: ${stack.edgeUrl}  (logs in ${stack.options.stateDir}/logs)`);
    });
}
