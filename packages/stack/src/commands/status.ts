import { Command } from 'commander';
import type { CommandContext } from './command-context.js';

export function statusCommand(context: CommandContext): Command {
  return new Command('status')
    .description('show name, pid, port and state of every process (every replica that exists)')
    .option('--json', 'print [{name, service, pid, port, address, state}] as JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await context.stack().status();
      if (options.json) {
        context.print(JSON.stringify(status));
        return;
      }
      context.print(`${'NAME'.padEnd(14)} ${'STATE'.padEnd(8)} ${'PID'.padEnd(8)} PORT`);
      for (const { name, pid, port, state } of status) {
        context.print(
          `${name.padEnd(14)} ${state.padEnd(8)} ${String(pid ?? '-').padEnd(8)} ${port ?? '-'}`,
        );
      }
    });
}
