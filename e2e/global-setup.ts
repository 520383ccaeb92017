// Starts the main stack once for the whole run, on free ports and a temporary state directory,
// and hands it to the workers. global-teardown.ts stops it, also when tests failed.
import { buildImages } from './fixtures/compose-stack.js';
import {
  E2E_DRIVER,
  MAIN_STACK_ENV,
  browserUrl,
  destroyStack,
  newStackHandle,
  openStack,
  publishMainStack,
} from './fixtures/stack-handle.js';

export default async function globalSetup(): Promise<void> {
  const handle = await newStackHandle({ ...MAIN_STACK_ENV }, E2E_DRIVER);
  // Published before up(), so that the teardown finds and stops whatever a failed up() left.
  publishMainStack(handle);
  const stack = openStack(handle);
  const started = Date.now();
  try {
    // compose `up` builds only missing images: build this checkout's first.
    if (E2E_DRIVER === 'compose') await buildImages(stack);
    await stack.up();
  } catch (err) {
    // Playwright skips the global teardown when the setup throws: stop what started here.
    await destroyStack(stack);
    throw err;
  }
  console.log(
    `baton e2e: ${E2E_DRIVER} stack up in ${Date.now() - started} ms at ${browserUrl(stack)} (valkey :${handle.valkeyPort}, state ${handle.stateDir})`,
  );
}
