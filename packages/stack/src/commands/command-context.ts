import type { Stack } from '../stack.js';

/** What every CLI verb gets: the stack chosen by the global options, and a way to print. */
export interface CommandContext {
  /** The stack of this invocation (built from --driver and the environment). */
  stack(): Stack;
  /** Writes one line to stdout. */
  print(line: string): void;
}
