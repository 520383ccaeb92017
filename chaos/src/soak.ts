import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultProxyClient } from '@baton/fault-proxy';
import { createStack, freePort, type Stack } from '@baton/stack';
import { checkHistories, type CheckResult } from './history-checker.js';
import type { HistoryEntry } from './history.js';
import { describeScheduled, planSchedule, type ScheduledFault } from './schedule.js';
import { SeededRandom } from './seeded-random.js';
import { SoakClient } from './soak-client.js';

export interface SoakOptions {
  readonly seed: number;
  readonly minutes: number;
  readonly topology: 'standalone' | 'sentinel';
  readonly print: (line: string) => void;
}

/** Half keyed, half keyless; each signs in as one of the demo users (its own session). */
const CLIENTS = 8;
const USERS = [
  ['alice', 'alice123'],
  ['bob', 'bob123'],
] as const;

/**
 * The soak: a stack of its own (fresh ports and state directory, the fault proxy on), eight
 * clients for `minutes`, the seeded schedule of faults meanwhile, then every fault healed, the
 * final carts read and every history checked. The stack is always stopped and deleted.
 */
export async function runSoak(options: SoakOptions): Promise<CheckResult> {
  const { print } = options;
  const random = new SeededRandom(options.seed);
  const durationMs = Math.round(options.minutes * 60_000);
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'baton-chaos-'));
  const edgePort = await freePort();
  let valkeyPort = await freePort();
  while (valkeyPort === edgePort) valkeyPort = await freePort();
  const stack = createStack({
    stateDir,
    edgePort,
    valkeyPort,
    topology: options.topology,
    faults: true,
    processEnv: {},
    // Eight sessions of two users; durable writes so a failover keeps what was acknowledged.
    env: {
      MAX_SESSIONS_PER_USER: '50',
      ...(options.topology === 'sentinel' ? { SESSION_DURABLE_WRITES_REPLICAS: '1' } : {}),
    },
  });
  try {
    await stack.up();
    const proxy = await stack.faultProxy();
    const replicas = (await stack.status()).filter((p) => p.service !== null).map((p) => p.name);
    const links = (await proxy.links()).map((link) => link.name);
    const schedule = planSchedule(random, {
      durationMs,
      replicas,
      links,
      sentinel: options.topology === 'sentinel',
    });
    print(
      `chaos: seed=${options.seed} minutes=${options.minutes} topology=${options.topology} clients=${CLIENTS} faults=${schedule.length}`,
    );
    for (const entry of schedule) print(`  ${describeScheduled(entry)}`);

    const history: HistoryEntry[] = [];
    const startedAt = Date.now();
    const clients = Array.from(
      { length: CLIENTS },
      (_, i) =>
        new SoakClient(
          `${i % 2 ? 'keyless' : 'keyed'}-${i + 1}`,
          stack.edgeUrl,
          i % 2 === 0,
          startedAt,
          history,
        ),
    );
    await Promise.all(
      clients.map((client, i) => {
        const [username, password] = USERS[i % USERS.length]!;
        return client.signIn(username, password);
      }),
    );
    const stop = () => Date.now() - startedAt >= durationMs;
    const load = Promise.all(
      clients.map((client, i) =>
        client.run(new SeededRandom(options.seed * 31 + i), stop, 100_000),
      ),
    );
    await runSchedule(stack, proxy, schedule, startedAt, print);
    await load;
    // Everything healed and running again before the final reads.
    for (const link of links) await proxy.setFault(link, { mode: 'pass' });
    await stack.up();
    const finals = await Promise.all(clients.map((client) => client.final()));
    return checkHistories(history, [...clients.flatMap((c) => c.rotatedFinals), ...finals]);
  } finally {
    await stack
      .down()
      .catch((error: unknown) => print(`chaos: stack down failed: ${String(error)}`));
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Applies each fault at its time, holds it, heals it. @private */
async function runSchedule(
  stack: Stack,
  proxy: FaultProxyClient,
  schedule: readonly ScheduledFault[],
  startedAt: number,
  print: (line: string) => void,
): Promise<void> {
  for (const entry of schedule) {
    const wait = startedAt + entry.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    print(
      `chaos: ${describeScheduled(entry)} (at +${((Date.now() - startedAt) / 1000).toFixed(1)}s)`,
    );
    const { fault } = entry;
    switch (fault.kind) {
      case 'sigkill':
        await stack.kill(fault.target);
        await sleep(entry.holdMs);
        await stack.start(fault.target);
        break;
      case 'sigterm':
        await stack.restart(fault.target);
        break;
      case 'valkey-restart':
        await stack.valkeyRestart();
        break;
      case 'sentinel-failover':
        // SIGKILL of the primary: the sentinels promote the replica; the old primary rejoins as one.
        await stack.kill('valkey');
        await sleep(entry.holdMs);
        await stack.start('valkey');
        break;
      case 'proxy':
        await proxy.setFault(fault.link, fault.fault);
        await sleep(entry.holdMs);
        await proxy.setFault(fault.link, { mode: 'pass' });
        break;
    }
  }
}
