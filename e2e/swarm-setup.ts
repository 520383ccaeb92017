// The global setup of `BATON_E2E_DRIVER=swarm` (npm run e2e:swarm): deploys the stack on a
// single-node swarm on a free edge port, hands it to the workers in BATON_E2E_SWARM, and returns
// the teardown that removes it (and leaves the swarm, if this run joined the engine to one).
import { freePort } from '@baton/stack';
import { deploySwarmStack, removeSwarmStack } from './fixtures/swarm-stack.js';
import { SWARM_HANDOFF_VARIABLE } from './fixtures/swarm-test.js';

export default async function swarmSetup(): Promise<() => Promise<void>> {
  const started = Date.now();
  const handle = await deploySwarmStack(await freePort());
  process.env[SWARM_HANDOFF_VARIABLE] = JSON.stringify(handle);
  console.log(
    `baton e2e: swarm stack ${handle.stack} deployed in ${Date.now() - started} ms at http://localhost:${handle.edgePort}` +
      (handle.initialisedSwarm
        ? ' (on a swarm this run initialised)'
        : ' (on the engine’s existing swarm)'),
  );
  return async () => {
    await removeSwarmStack(handle);
    console.log(
      `baton e2e: swarm stack removed${handle.initialisedSwarm ? ', and this engine left the swarm' : ''}`,
    );
  };
}
