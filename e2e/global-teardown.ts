// Stops the main stack whatever happened to the tests, and keeps its logs next to the results.
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeComposeLogs } from './fixtures/compose-stack.js';
import { destroyStack, mainStackHandle, openStack } from './fixtures/stack-handle.js';

export default async function globalTeardown(): Promise<void> {
  const stack = openStack(mainStackHandle());
  const onCompose = stack.options.driver === 'compose';
  const logsCopy = fileURLToPath(
    new URL(
      onCompose ? './test-results-compose/stack-logs' : './test-results/stack-logs',
      import.meta.url,
    ),
  );
  // The logs are attached to every failed test already; this copy covers the rest of the run.
  if (onCompose) {
    await mkdir(logsCopy, { recursive: true });
    await writeComposeLogs(stack, path.join(logsCopy, 'compose.log')).catch(() => undefined);
  } else {
    await cp(path.join(stack.options.stateDir, 'logs'), logsCopy, { recursive: true }).catch(
      () => undefined,
    );
  }
  await destroyStack(stack);
  console.log(`baton e2e: stack down, its logs are in ${path.relative(process.cwd(), logsCopy)}`);
}
