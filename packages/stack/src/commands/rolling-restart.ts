import { Command } from 'commander';
import type { CommandContext } from './command-context.js';

export function rollingRestartCommand(context: CommandContext): Command {
  return new Command('rolling-restart')
    .description(
      'restart every app replica, one at a time, each only once another replica of its service is ready',
    )
    .action(async () => {
      await context.stack().rollingRestart();
    });
}
