// Starts the main stack once for the whole run, on free ports and a temporary state directory,
// and hands it to the workers. global-teardown.ts stops it, also when tests failed.
import {
  MAIN_STACK_ENV,
  browserUrl,
  destroyStack,
  newStackHandle,
  openStack,
  publishMainStack,
} from './fixtures/stack-handle.js';

export default async function globalSetup(): Promise<void> {
  const handle = await newStackHandle({ ...MAIN_STACK_ENV });
  // Published before up(), so that the teardown finds and stops whatever a failed up() left.
  publishMainStack(handle);
  const stack = openStack(handle);
  const started = Date.now();
  try {
    await stack.up();
  } catch (err) {
    // Playwright skips the global teardown when the setup throws: stop what started here.
    await destroyStack(stack);
    throw err;
  }
  console.log(
    `baton e2e: stack up in ${Date.now() - started} ms at ${browserUrl(stack)} (valkey :${handle.valkeyPort}, state ${handle.stateDir})`,
  );
}
