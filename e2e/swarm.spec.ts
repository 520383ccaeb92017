// The platform on Docker Swarm (BATON_E2E_DRIVER=swarm, docs/swarm.md): the orchestrator rolls,
// scales, replaces and restarts what it runs while four API clients keep adding to their carts
// (fixtures/fleet-load.ts, the compose and local fleet scenarios' cast). nginx follows the tasks
// through `tasks.<service>`, re-resolved every second. Each scenario prints its counts; each must
// end with 0 failed calls and 0 acknowledged items lost.
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad, type LoadOptions } from './fixtures/api-client.js';
import { reportCounts } from './fixtures/counts.js';
import { fleetLoad, fleetLoadOptions, fleetTally, type FleetLoad } from './fixtures/fleet-load.js';
import {
  buildRelease,
  killTask,
  releaseTag,
  restartValkey,
  runningTasks,
  scaleService,
  updateImage,
  waitForTasks,
  type AppService,
} from './fixtures/swarm-stack.js';
import { expect, test } from './fixtures/swarm-test.js';

/**
 * The fleet load, slower (a request per client per 100 ms at most) and up to 150 s, so that its
 * 2,500 requests last through three rolling updates; still bounded in count and time.
 */
function swarmLoadOptions(stop: () => boolean): LoadOptions {
  return { ...fleetLoadOptions(stop), pauseMs: 100, maxMs: 150_000 };
}

/** Runs `change` under the load of `cast`, ending the load once it is done. */
async function underLoad(cast: FleetLoad, change: () => Promise<void>): Promise<number> {
  let changing = true;
  const started = Date.now();
  await Promise.all([
    runLoad(
      cast.clients,
      swarmLoadOptions(() => !changing),
    ),
    change().finally(() => {
      changing = false;
    }),
  ]);
  return Date.now() - started;
}

/** The tally's failure and loss checks, the same in every scenario. */
async function expectNothingFailedOrLost(
  cast: FleetLoad,
  scenario: string,
  testInfo: Parameters<typeof reportCounts>[0],
  details: Record<string, string | number>,
) {
  const tally = await fleetTally(cast);
  reportCounts(testInfo, scenario, tally, {
    ...details,
    retried: tally.retried,
    duplicates: tally.duplicates,
  });
  expect(cast.traffic.failures(), 'failed requests').toEqual([]);
  expect(tally.lost, 'acknowledged items lost').toBe(0);
  expect(tally.duplicates, 'items applied twice').toBe(0);
}

const APP_SERVICES: AppService[] = ['account', 'cart', 'gateway'];

test('docker service update --image of every app service under load: 0 failed, 0 lost, the new build on every tier', async ({
  swarm,
  edgeUrl,
}, testInfo) => {
  test.setTimeout(300_000);
  // Its tags stay while tasks run it (the swarm starts new tasks from it when it scales or
  // replaces one); the teardown removes them with the stack.
  const version = releaseTag();
  // Built before the load starts: the build is the pipeline's, the update is the orchestrator's.
  await buildRelease(swarm, version);
  const before = (
    await Promise.all(APP_SERVICES.map((service) => runningTasks(swarm, service)))
  ).flat();
  const cast = await fleetLoad(edgeUrl);
  // Gateway last, as with the stack's deploy: the services behind it first.
  const updateMs = await underLoad(cast, async () => {
    for (const service of APP_SERVICES) await updateImage(swarm, service, version);
  });
  const after = (
    await Promise.all(APP_SERVICES.map((service) => runningTasks(swarm, service)))
  ).flat();
  const answered = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const client = cast.clients[i % 4]!;
    for (const answer of [await client.cart(), await client.me()]) {
      answered.add(answer.headers?.get('x-build-version') ?? 'none');
    }
  }
  await expectNothingFailedOrLost(cast, 'swarm service update', testInfo, {
    updateMs,
    version,
    replicas: after.map((task) => task.replica).join(' '),
    buildVersions: [...answered].join(' | '),
  });
  expect(after.map((task) => task.replica.split('-')[0])).toEqual(
    before.map((task) => task.replica.split('-')[0]),
  );
  for (const task of after) {
    expect(
      before.map((old) => old.id),
      `${task.replica} is a new task`,
    ).not.toContain(task.id);
  }
  expect([...answered], 'X-Build-Version of gateway and cart/account').toEqual([
    `${version}, ${version}`,
  ]);
});

test('docker service scale cart=5 and back to 2 under load: every new task serves, 0 failed, 0 lost', async ({
  swarm,
  edgeUrl,
}, testInfo) => {
  test.setTimeout(180_000);
  const cast = await fleetLoad(edgeUrl);
  let added: string[] = [];
  let seen = new Map<string, number>();
  const scaleMs = await underLoad(cast, async () => {
    const before = await runningTasks(swarm, 'cart');
    await scaleService(swarm, 'cart', 5);
    const ready = Date.now();
    const tasks = await waitForTasks(swarm, 'cart', 5);
    added = tasks
      .filter((task) => !before.some((old) => old.id === task.id))
      .map((task) => task.replica);
    // Every task the swarm added is found by nginx (tasks.cart) and serves the load.
    seen = await cast.sightings.waitForAll(added, ready, 20_000);
    await scaleService(swarm, 'cart', 2);
    await waitForTasks(swarm, 'cart', 2);
    await sleep(2_000);
  });
  await expectNothingFailedOrLost(cast, 'swarm scale cart=5 and back to 2', testInfo, {
    scaleMs,
    added: added.join(' '),
    served: [...seen.keys()].join(' '),
  });
  expect(added, 'tasks added by scale').toHaveLength(3);
  expect([...seen.keys()].sort(), 'added tasks that served').toEqual([...added].sort());
  expect(await runningTasks(swarm, 'cart')).toHaveLength(2);
});

test('docker kill of a cart and a gateway task under load: the swarm replaces them, 0 failed, 0 lost', async ({
  swarm,
  edgeUrl,
}, testInfo) => {
  test.setTimeout(180_000);
  const cast = await fleetLoad(edgeUrl);
  const killed = [
    (await runningTasks(swarm, 'cart'))[0]!,
    (await runningTasks(swarm, 'gateway'))[0]!,
  ];
  let replacements: string[] = [];
  let seen = new Map<string, number>();
  const killMs = await underLoad(cast, async () => {
    await sleep(1_000);
    await killTask(killed[0]!);
    await sleep(1_500);
    await killTask(killed[1]!);
    const since = Date.now();
    const cart = await waitForTasks(swarm, 'cart', 2, [killed[0]!]);
    const gateway = await waitForTasks(swarm, 'gateway', 2, [killed[1]!]);
    // The swarm keeps the slot: the replacement of `cart.1` is the new task of slot 1.
    replacements = [
      ...cart.filter((task) => task.slot === killed[0]!.slot),
      ...gateway.filter((task) => task.slot === killed[1]!.slot),
    ].map((task) => task.replica);
    seen = await cast.sightings.waitForAll(replacements, since, 20_000);
  });
  await expectNothingFailedOrLost(cast, 'swarm docker kill', testInfo, {
    killMs,
    killed: killed.map((task) => task.replica).join(' '),
    replacements: replacements.join(' '),
  });
  expect(replacements, 'one new task per killed one').toHaveLength(2);
  expect([...seen.keys()].sort(), 'replacements that served').toEqual([...replacements].sort());
});

test('Valkey restarted by the swarm under load: carts kept (AOF, same volume), 0 failed, 0 lost', async ({
  swarm,
  edgeUrl,
}, testInfo) => {
  test.setTimeout(180_000);
  const cast = await fleetLoad(edgeUrl);
  const restartMs = await underLoad(cast, async () => {
    await sleep(1_000);
    await restartValkey(swarm);
    // The apps reconnect on their own; keep the load on until they have.
    await sleep(3_000);
  });
  await expectNothingFailedOrLost(cast, 'swarm valkey restart', testInfo, { restartMs });
});
