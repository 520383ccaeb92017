/**
 * Lab: sticky sessions, then kill the node.
 *
 * Two cart replicas behind a sticky nginx (`hash $cookie_route consistent`), twice, with the same
 * routes and the same users:
 *   - node-local: express-session's in-process MemoryStore (what an app has before Baton);
 *   - Baton: apps/cart-service, sessions in Valkey.
 * USERS users each add ITEMS items (each user stays on one replica), the replica most of them are
 * pinned to gets SIGKILL, nginx sends its users to the survivor, and every user reads the cart
 * again and adds one more item (whose `sessionId` says whether the session survived). Exit 0 when
 * the node-local side lost carts and Baton lost nothing; 1 otherwise.
 */
import type { RunningProcess } from '@baton/process-supervisor';
import type { Lab, LabContext } from '../lab-run.js';
import { LabUser, missingItems } from '../lab-user.js';
import type { ReplicaPair } from '../replica-pair.js';
import { table } from '../text-table.js';
import { startUsualAndBaton } from '../usual-and-baton.js';

const USERS = 20;
const ITEMS = 3;
/** Catalog skus (cart-service accepts nothing else); the node-local cart takes any name. */
const SKUS = ['apple', 'pear', 'banana', 'orange', 'lemon', 'kiwi', 'grapes', 'cherries'];

/** What one side's run came to. */
interface Outcome {
  acknowledged: number;
  pinned: number;
  victim: string;
  onVictim: number;
  cartsEmptied: number;
  itemsLost: number;
  sessionsLost: number;
  failedAfterKill: number;
}

export const stickyKill: Lab = {
  name: 'sticky-kill',
  summary:
    'sticky nginx, 2 replicas, SIGKILL the busiest: node-local sessions lose carts, Baton nothing',
  run: async (lab) => {
    const started = Date.now();
    const [local, baton] = await startUsualAndBaton(
      lab,
      { label: 'node-local', variant: 'memory' },
      'sticky',
    );
    lab.log(`2 × (nginx + cart-1 + cart-2) up in ${Date.now() - started} ms; the upstream:`);
    console.log(local.upstream.replace(/^/gm, '    '));

    const before = await run(lab, local);
    const after = await run(lab, baton);
    const total = USERS * ITEMS;
    console.log(
      table([
        ['', 'node-local sessions', 'Baton (Valkey)'],
        ['items acknowledged', before.acknowledged, after.acknowledged],
        ['users pinned to one node', `${before.pinned} of ${USERS}`, `${after.pinned} of ${USERS}`],
        ['killed (SIGKILL)', before.victim, after.victim],
        ['users on the killed node', before.onVictim, after.onVictim],
        ['carts emptied', before.cartsEmptied, after.cartsEmptied],
        ['items lost', `${before.itemsLost} of ${total}`, `${after.itemsLost} of ${total}`],
        ['sessions lost (= signed out)', before.sessionsLost, after.sessionsLost],
        ['failed requests after the kill', before.failedAfterKill, after.failedAfterKill],
      ]),
    );
    lab.log(
      `nodeLocal: cartsEmptied=${before.cartsEmptied}, itemsLost=${before.itemsLost}, sessionsLost=${before.sessionsLost}; ` +
        `baton: cartsEmptied=${after.cartsEmptied}, itemsLost=${after.itemsLost}, sessionsLost=${after.sessionsLost} ` +
        `(${Date.now() - started} ms)`,
    );
    const complete = (o: Outcome) => o.acknowledged === total && o.pinned === USERS;
    const shown = complete(before) && before.cartsEmptied > 0 && before.itemsLost > 0;
    const prevented =
      complete(after) &&
      after.onVictim > 0 &&
      after.cartsEmptied === 0 &&
      after.itemsLost === 0 &&
      after.sessionsLost === 0 &&
      after.failedAfterKill === 0;
    if (!shown) lab.log('FAILED: the node-local side lost nothing, so the lab shows nothing');
    if (!prevented) lab.log('FAILED: Baton lost something (or a request failed)');
    return shown && prevented;
  },
};

/** Fills the carts, kills the busiest replica, reads the carts back. */
async function run(lab: LabContext, pair: ReplicaPair): Promise<Outcome> {
  const users = Array.from({ length: USERS }, (_, i) => ({
    client: new LabUser(pair.url, `user-${i + 1}`),
    acked: [] as string[],
    servedBy: new Set<string>(),
    sessionId: undefined as string | undefined,
  }));
  await Promise.all(
    users.map(async (user, u) => {
      for (let k = 0; k < ITEMS; k++) {
        const item = SKUS[(u + k) % SKUS.length]!;
        const answer = await user.client.cart('POST', item);
        if (answer.status !== 200) continue;
        user.acked.push(item);
        user.servedBy.add(answer.servedBy);
        user.sessionId = answer.sessionId;
      }
    }),
  );
  const pinned = users.filter((user) => user.servedBy.size === 1);
  const perNode = new Map<string, number>();
  for (const user of pinned) {
    const node = [...user.servedBy][0]!;
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const [victim = 'cart-1', onVictim = 0] = [...perNode].sort((a, b) => b[1] - a[1])[0] ?? [];
  const victimProcess = pair.replicas.get(victim)!;
  lab.log(
    `${pair.label}: ${USERS} users × ${ITEMS} adds, ` +
      `${[...perNode].map(([node, n]) => `${node}: ${n} users`).join(', ')}; ` +
      `SIGKILL ${victim} (pid ${victimProcess.pid})`,
  );
  await kill(victimProcess);

  let failedAfterKill = 0;
  const outcomes = await Promise.all(
    users.map(async (user) => {
      const read = await user.client.cart('GET');
      const again = await user.client.cart('POST', SKUS[0]!);
      if (read.status !== 200) failedAfterKill += 1;
      if (again.status !== 200) failedAfterKill += 1;
      const lost = missingItems(user.acked, read.cart);
      return {
        emptied: user.acked.length > 0 && lost === user.acked.length,
        lost,
        sessionLost: again.status === 200 && again.sessionId !== user.sessionId,
      };
    }),
  );
  return {
    acknowledged: users.reduce((sum, user) => sum + user.acked.length, 0),
    pinned: pinned.length,
    victim,
    onVictim,
    cartsEmptied: outcomes.filter((o) => o.emptied).length,
    itemsLost: outcomes.reduce((sum, o) => sum + o.lost, 0),
    sessionsLost: outcomes.filter((o) => o.sessionLost).length,
    failedAfterKill,
  };
}

/** SIGKILL by the PID the supervisor recorded, then wait until the process is gone. */
async function kill(proc: RunningProcess): Promise<void> {
  process.kill(proc.pid, 'SIGKILL');
  const deadline = Date.now() + 5_000;
  while (!proc.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!proc.exited) throw new Error(`${proc.spec.name} (pid ${proc.pid}) survived SIGKILL`);
}
