import { Command } from 'commander';
import type { CommandContext } from './command-context.js';

export function deployCommand(context: CommandContext): Command {
  return new Command('deploy')
    .description(
      'build, then replace every replica of [service] (default: all, gateway last) one at a time, start-first',
    )
    .argument('[service]', 'gateway | account | cart')
    .option(
      '--version <version>',
      'the build the new replicas report (default: $BUILD_VERSION, else git short commit [-dirty], else dev)',
    )
    .action(async (service: string | undefined, options: { version?: string }) => {
      const stack = context.stack();
      await stack.deploy(
        service,
        options.version === undefined ? {} : { version: options.version },
      );
      const replicas = (await stack.status()).filter(
        (entry) => entry.service !== null && (service === undefined || entry.service === service),
      );
      context.print(`deployed: ${replicas.map((entry) => entry.name).join(', ')}`);
    });
}
