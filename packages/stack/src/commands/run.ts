import { Command } from 'commander';
import { StackError } from '../errors.js';
import type { ProcessStatus } from '../stack-driver.js';
import type { CommandContext } from './command-context.js';
import { formatEvent } from './event-line.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const WATCH_INTERVAL_MS = 1_000;

export function runCommand(context: CommandContext): Command {
  return new Command('run')
    .description('run the whole stack in the foreground; Ctrl+C stops everything')
    .action(async () => {
      const stack = context.stack();
      if ((await stack.status()).some((entry) => entry.state === 'running')) {
        throw new StackError(
          'STACK_ALREADY_RUNNING',
          `a stack is already running from ${stack.options.stateDir}; stop it first (npm run stack -- down)`,
        );
      }
      const signal = stopSignal(context);
      try {
        const started = stack.up();
        const first = await Promise.race([started.then(() => 'up' as const), signal.received]);
        if (first === 'up') {
          context.print(
            `stack ready: ${stack.edgeUrl}  (Ctrl+C stops everything; logs in ${stack.options.stateDir}/logs)`,
          );
          const stopWatching = watch(await stack.status(), () => stack.status(), context);
          await signal.received;
          stopWatching();
        } else {
          await started.catch(() => {});
        }
      } finally {
        // Whatever happened (Ctrl+C, a process that never got ready), nothing is left running.
        await stack.down().finally(() => signal.dispose());
      }
      context.print('stack stopped');
    });
}

/**
 * Resolves on the first of SIGINT/SIGTERM/SIGHUP and keeps the handlers installed until disposed,
 * so a second Ctrl+C cannot kill the CLI halfway through stopping the stack.
 * @private
 */
function stopSignal(context: CommandContext): { received: Promise<string>; dispose(): void } {
  let resolve: (name: string) => void = () => {};
  const received = new Promise<string>((done) => (resolve = done));
  let count = 0;
  const handler = (name: NodeJS.Signals) => {
    context.print(
      count++ === 0 ? `${name}: stopping the stack` : `${name}: still stopping, please wait`,
    );
    resolve(name);
  };
  for (const name of STOP_SIGNALS) process.on(name, handler);
  return { received, dispose: () => STOP_SIGNALS.forEach((name) => process.off(name, handler)) };
}

/**
 * Prints a line whenever a process changes state, including changes made by other invocations
 * (`npm run stack -- kill cart-1` in another terminal). Returns the function that stops watching.
 * @private
 */
function watch(
  initial: ProcessStatus[],
  status: () => Promise<ProcessStatus[]>,
  context: CommandContext,
): () => void {
  let previous = new Map(initial.map((entry) => [entry.name, entry]));
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const current = await status();
      for (const entry of current) {
        const before = previous.get(entry.name);
        if (before?.state === entry.state && before.pid === entry.pid) continue;
        const event = entry.state === 'running' ? 'running' : 'stopped';
        context.print(
          formatEvent({ name: entry.name, event, pid: entry.pid ?? before?.pid ?? undefined }),
        );
      }
      previous = new Map(current.map((entry) => [entry.name, entry]));
    } catch {
      // A status read racing another invocation's write: the next tick sees it.
    } finally {
      busy = false;
    }
  }, WATCH_INTERVAL_MS);
  return () => clearInterval(timer);
}
