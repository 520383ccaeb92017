// A stack on free ports with its own temporary state directory, so tests never touch a
// developer's running stack (.stack/, 8080, 6379).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../src/local/binaries.js';
import { freePort } from '../src/local/ports.js';
import type { StackOptions } from '../src/options.js';
import { createStack, type Stack } from '../src/stack.js';
import { defaultReplicaNames } from '../src/local/replica-set.js';
import { infrastructureOf, type Topology } from '../src/topology.js';

/**
 * What `status()` lists for a fresh stack of `topology`: its infrastructure, prometheus when it is
 * installed, then 2 replicas of each service.
 */
export function freshStackNames(topology: Topology = 'standalone'): string[] {
  const prometheus = findExecutable('prometheus') ? ['prometheus'] : [];
  return [...infrastructureOf(topology), ...prometheus, ...defaultReplicaNames()];
}

/** The compiled CLI, as `npm run stack` runs it. */
export const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

export interface TemporaryStack {
  readonly stack: Stack;
  readonly stateDir: string;
  /** The environment that points the CLI at this stack. */
  readonly cliEnv: NodeJS.ProcessEnv;
  /** Stops whatever still runs and deletes the state directory; never throws. */
  dispose(): Promise<void>;
}

export async function temporaryStack(options: StackOptions = {}): Promise<TemporaryStack> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'baton-stack-test-'));
  const stack = createStack({
    ...options,
    stateDir,
    edgePort: await freePort(),
    valkeyPort: await freePort(),
  });
  return {
    stack,
    stateDir,
    cliEnv: {
      ...process.env,
      BATON_STACK_DIR: stateDir,
      EDGE_PORT: String(stack.options.edgePort),
      VALKEY_PORT: String(stack.options.valkeyPort),
    },
    async dispose() {
      await stack.down().catch((error: unknown) => console.error('down failed:', error));
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
