import { Command } from 'commander';
import { describeFault, faultSchema, type Fault } from '@baton/fault-proxy';
import { StackError } from '../errors.js';
import type { CommandContext } from './command-context.js';

/**
 * `fault <link> <mode> [value]` on a stack started with `--faults`: `latency 200`, `stall`,
 * `reset`, `bandwidth 20000`, `pass` (heal). `fault --list` prints every link and its figures.
 */
export function faultCommand(context: CommandContext): Command {
  return new Command('fault')
    .description('set a fault on a fault-proxy link of a stack started with --faults (pass heals)')
    .argument('[link]', 'nginx>gateway-1, cart-1>valkey, … (see --list)')
    .argument('[mode]', 'pass | latency <ms> | stall | reset | bandwidth <bytes/s>')
    .argument('[value]', 'the milliseconds of latency, the bytes per second of bandwidth')
    .option('--list', 'list the links, their faults and what they carried')
    .action(
      async (
        link: string | undefined,
        mode: string | undefined,
        value: string | undefined,
        opts: { list?: boolean },
      ) => {
        const proxy = await context.stack().faultProxy();
        if (opts.list || !link) {
          for (const each of await proxy.links()) {
            const { connections, heldBytes, resets } = each.stats;
            context.print(
              `${each.name.padEnd(18)} :${each.port} → :${each.target.port}  ${describeFault(each.fault).padEnd(20)} connections=${connections} held=${heldBytes}B resets=${resets}`,
            );
          }
          return;
        }
        const fault = parseFault(mode ?? '', value);
        await proxy.setFault(link, fault);
        context.print(`${link}: ${describeFault(fault)}`);
      },
    );
}

/** @private */
function parseFault(mode: string, value: string | undefined): Fault {
  const amount = value === undefined ? undefined : Number(value);
  const input =
    mode === 'latency'
      ? { mode, ms: amount }
      : mode === 'bandwidth'
        ? { mode, bytesPerSecond: amount }
        : { mode };
  const parsed = faultSchema.safeParse(input);
  if (!parsed.success) {
    throw new StackError(
      'STACK_OPTIONS_INVALID',
      `a fault is pass, latency <ms>, stall, reset or bandwidth <bytes/s>, not "${[mode, value].filter(Boolean).join(' ')}"`,
    );
  }
  return parsed.data;
}
