import { Command } from 'commander';
import { StackError } from '../errors.js';
import { MAX_REPLICAS, SERVICES } from '../topology.js';
import type { CommandContext } from './command-context.js';

export function scaleCommand(context: CommandContext): Command {
  return new Command('scale')
    .description(
      'run exactly <n> replicas of a service: new ones join nginx once ready, leaving ones leave nginx before they drain',
    )
    .argument('<service>', SERVICES.join(' | '))
    .argument('<n>', `replicas, 1-${MAX_REPLICAS}`)
    .action(async (service: string, n: string) => {
      // Number('') is 0 and Number('2.0') is 2: only plain digits are a replica count.
      if (!/^\d+$/.test(n)) {
        throw new StackError('STACK_OPTIONS_INVALID', `<n> must be a whole number, not "${n}"`);
      }
      const stack = context.stack();
      await stack.scale(service, Number(n));
      const replicas = (await stack.status()).filter((entry) => entry.service === service);
      context.print(`${service}: ${replicas.map((entry) => entry.name).join(', ')}`);
    });
}
