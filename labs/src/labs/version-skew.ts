/**
 * Lab: a rolling deploy that changes what the session holds, on cart-service without and with
 * the cart's attribute schema.
 *
 * Cart v2 adds a "saved for later" list to the `cart` attribute (CART_VERSION, cart-versions.ts).
 * Each side is a v1 replica (`cart-1`) and a v2 replica (`cart-2`) behind one round-robin nginx,
 * the state every rolling deploy passes through, forwards and back:
 *   - without: apps/cart-service with the schema left out (replicas/cart-without-schema.ts);
 *   - with: apps/cart-service as it ships.
 * Every user walks the same rollout: two adds while the fleet is all v1, adds and a quantity
 * change through the mixed fleet (v1 → v2), two products saved for later once it is all v2,
 * adds and a quantity change through the mixed fleet again (the rollback, v2 → v1), one more add
 * on v1. Then the lab counts failed requests, acknowledged items the cart lacks, and saved
 * entries (v2 fields) that are gone. Exit 0 when the side without the schema lost or failed
 * something and the side with it nothing.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Lab, LabContext } from '../lab-run.js';
import { LabUser } from '../lab-user.js';
import { type ReplicaPair, cartServiceMain, startReplicaPair } from '../replica-pair.js';
import { table } from '../text-table.js';

const USERS = 10;
const SAVED = ['kiwi', 'lemon'];

/** Where one step goes: a v1 replica, a v2 replica, or the mixed fleet through nginx. */
type Via = 'v1' | 'v2' | 'fleet';
type Step =
  { via: Via; add: string } | { via: Via; set: string; qty: number } | { via: Via; save: string };

/** The rollout every user walks, in order (see the header). */
const ROLLOUT: readonly Step[] = [
  { via: 'v1', add: 'apple' },
  { via: 'v1', add: 'pear' },
  { via: 'fleet', add: 'banana' },
  { via: 'fleet', set: 'apple', qty: 3 },
  { via: 'fleet', add: 'orange' },
  ...SAVED.map((sku) => ({ via: 'v2' as const, save: sku })),
  { via: 'fleet', add: 'grapes' },
  { via: 'fleet', set: 'pear', qty: 2 },
  { via: 'fleet', add: 'cherries' },
  { via: 'v1', add: 'banana' },
];

interface Outcome {
  sent: number;
  failed: number;
  acknowledged: number;
  itemsLost: number;
  saved: number;
  fieldsLost: number;
}

interface CartBody {
  lines?: { sku: string; qty: number }[];
  saved?: { sku: string }[];
}

export const versionSkew: Lab = {
  name: 'version-skew',
  summary:
    'cart v1 and v2 replicas side by side, a deploy and its rollback: without attribute schemas fields and items are lost, with them none',
  run: async (lab) => {
    const started = Date.now();
    const valkey = await lab.valkey();
    const fleet = (label: string, main: string) =>
      startReplicaPair({
        supervisor: lab.supervisor,
        dir: join(lab.dir, label),
        label,
        main,
        env: {},
        replicaEnv: { 'cart-1': { CART_VERSION: '1' }, 'cart-2': { CART_VERSION: '2' } },
        valkeyUrl: valkey.url,
        balancing: 'round-robin',
      });
    const unversionedMain = fileURLToPath(
      new URL('../replicas/cart-without-schema.js', import.meta.url),
    );
    const [without, withSchema] = await Promise.all([
      fleet('without-schema', unversionedMain),
      fleet('with-schema', cartServiceMain()),
    ]);
    lab.log(
      `2 × (nginx round-robin + cart-1 v1 + cart-2 v2) up in ${Date.now() - started} ms; ${USERS} users × ${ROLLOUT.length} steps each`,
    );

    const bare = await rollout(lab, without);
    const ours = await rollout(lab, withSchema);
    console.log(
      table([
        ['', 'without attribute schemas', 'with attribute schemas'],
        ['requests sent', bare.sent, ours.sent],
        ['requests failed (not 2xx)', bare.failed, ours.failed],
        ['items acknowledged', bare.acknowledged, ours.acknowledged],
        ['acknowledged items lost', bare.itemsLost, ours.itemsLost],
        ['saved for later (v2 fields)', bare.saved, ours.saved],
        ['v2 fields lost', bare.fieldsLost, ours.fieldsLost],
      ]),
    );
    lab.log(
      `withoutSchema: failed=${bare.failed}, itemsLost=${bare.itemsLost}, fieldsLost=${bare.fieldsLost}; ` +
        `withSchema: failed=${ours.failed}, itemsLost=${ours.itemsLost}, fieldsLost=${ours.fieldsLost} (${Date.now() - started} ms)`,
    );
    const shown = bare.failed + bare.itemsLost + bare.fieldsLost > 0;
    const prevented =
      ours.acknowledged > 0 &&
      ours.saved > 0 &&
      ours.failed + ours.itemsLost + ours.fieldsLost === 0;
    if (!shown) lab.log('FAILED: without schemas nothing was lost, so the lab shows nothing');
    if (!prevented) lab.log('FAILED: with schemas a request failed or something was lost');
    return shown && prevented;
  },
};

/** Every user walks the rollout at once; then each cart is read back and settled. */
async function rollout(lab: LabContext, pair: ReplicaPair): Promise<Outcome> {
  const outcome: Outcome = {
    sent: 0,
    failed: 0,
    acknowledged: 0,
    itemsLost: 0,
    saved: 0,
    fieldsLost: 0,
  };
  const urls: Record<Via, string> = {
    v1: pair.replicaUrls.get('cart-1')!,
    v2: pair.replicaUrls.get('cart-2')!,
    fleet: pair.url,
  };
  await Promise.all(
    Array.from({ length: USERS }, async () => {
      const user = new LabUser(pair.url);
      const expected = new Map<string, number>();
      const saved = new Set<string>();
      for (const step of ROLLOUT) {
        const answer =
          'add' in step
            ? await user.send('POST', '/api/cart/items', { sku: step.add }, urls[step.via])
            : 'set' in step
              ? await user.send(
                  'PATCH',
                  `/api/cart/items/${step.set}`,
                  { qty: step.qty },
                  urls[step.via],
                )
              : await user.send('PUT', `/api/cart/saved/${step.save}`, undefined, urls[step.via]);
        outcome.sent += 1;
        if (answer.status < 200 || answer.status >= 300) {
          outcome.failed += 1;
          continue;
        }
        if ('add' in step) expected.set(step.add, (expected.get(step.add) ?? 0) + 1);
        if ('set' in step) expected.set(step.set, step.qty);
        if ('save' in step) saved.add(step.save);
      }
      // Lines as v1 reads them (it reads every shape either version writes); the saved list as v2.
      const lines = ((await user.send('GET', '/api/cart', undefined, urls.v1)).body as CartBody)
        .lines;
      const list = ((await user.send('GET', '/api/cart', undefined, urls.v2)).body as CartBody)
        .saved;
      const have = new Map((lines ?? []).map((line) => [line.sku, line.qty]));
      for (const [sku, qty] of expected) {
        outcome.acknowledged += qty;
        outcome.itemsLost += Math.max(0, qty - (have.get(sku) ?? 0));
      }
      outcome.saved += saved.size;
      outcome.fieldsLost += [...saved].filter((sku) => !list?.some((i) => i.sku === sku)).length;
    }),
  );
  lab.log(
    `${pair.label}: ${outcome.sent} requests, ${outcome.failed} failed, ${outcome.itemsLost} of ${outcome.acknowledged} items and ${outcome.fieldsLost} of ${outcome.saved} saved entries lost`,
  );
  return outcome;
}
