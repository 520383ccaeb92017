import { Command } from 'commander';
import type { CommandContext } from './command-context.js';

export function recreateCommand(context: CommandContext): Command {
  return new Command('recreate')
    .description(
      'stop a replica and start it again on a new address (local: a new port), nginx following',
    )
    .argument('<name>', 'an app replica: gateway-<n> | account-<n> | cart-<n>')
    .action(async (name: string) => {
      const stack = context.stack();
      await stack.recreate(name);
      const entry = (await stack.status()).find((candidate) => candidate.name === name);
      context.print(`${name}: ready on ${entry?.address ?? 'an unknown address'}`);
    });
}
