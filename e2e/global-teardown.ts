// Stops the main stack whatever happened to the tests, and keeps its logs next to the results.
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { destroyStack, mainStackHandle, openStack } from './fixtures/stack-handle.js';

const LOGS_COPY = fileURLToPath(new URL('./test-results/stack-logs', import.meta.url));

export default async function globalTeardown(): Promise<void> {
  const stack = openStack(mainStackHandle());
  // The logs are attached to every failed test already; this copy covers the rest of the run.
  await cp(path.join(stack.options.stateDir, 'logs'), LOGS_COPY, { recursive: true }).catch(
    () => undefined,
  );
  await destroyStack(stack);
  console.log(`baton e2e: stack down, its logs are in ${path.relative(process.cwd(), LOGS_COPY)}`);
}
