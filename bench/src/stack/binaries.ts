import { findExecutable as lookUp } from '@baton/stack';

/** The path of a program the bench runs (nginx, valkey-server), looked up as the stack does. */
export function findExecutable(name: string): string {
  const found = lookUp(name);
  if (!found) throw new Error(`${name} not found — run ./scripts/setup.sh`);
  return found;
}
