/**
 * Lab: concurrent adds to one cart, on the usual Node stack and on Baton.
 *
 * Two cart replicas behind a round-robin nginx (no affinity, like the platform's), twice:
 *   - baseline: express-session + connect-redis (the bench's `baseline` replica), which reads
 *     the whole session at the start of a request and writes the whole session back at the end;
 *   - Baton: apps/cart-service, whose adds are a compare-and-set of the `cart` attribute.
 * One user makes a session (one add), then fires ADDS adds at once; the lab counts the adds that
 * were acknowledged (200) but are missing from the cart read afterwards. Exit 0 when the baseline
 * lost some and Baton none; 1 otherwise.
 */
import type { Lab, LabContext } from '../lab-run.js';
import { LabUser, missingItems, tally } from '../lab-user.js';
import type { ReplicaPair } from '../replica-pair.js';
import { table } from '../text-table.js';
import { startUsualAndBaton } from '../usual-and-baton.js';

const ADDS = 50;
/** Catalog skus (cart-service accepts nothing else), in turn: 50 adds make 6-7 of each. */
const SKUS = ['apple', 'pear', 'banana', 'orange', 'lemon', 'kiwi', 'grapes', 'cherries'];

interface Outcome {
  acknowledged: number;
  refused: number;
  inCart: number;
  missing: number;
  servedBy: string;
}

export const lostUpdates: Lab = {
  name: 'lost-updates',
  summary:
    'round-robin nginx, 50 concurrent adds to one cart: express-session loses some, Baton none',
  run: async (lab) => {
    const started = Date.now();
    const [baseline, baton] = await startUsualAndBaton(
      lab,
      { label: 'baseline', variant: 'baseline' },
      'round-robin',
    );
    lab.log(`2 × (nginx round-robin + cart-1 + cart-2) up in ${Date.now() - started} ms`);

    const usual = await run(lab, baseline);
    const ours = await run(lab, baton);
    console.log(
      table([
        ['', 'express-session + connect-redis', 'Baton cart-service'],
        ['concurrent adds sent', ADDS, ADDS],
        ['acknowledged (200)', usual.acknowledged, ours.acknowledged],
        ['refused (not 200)', usual.refused, ours.refused],
        ['served by', usual.servedBy, ours.servedBy],
        ['items in the final cart', usual.inCart, ours.inCart],
        ['acknowledged but missing', usual.missing, ours.missing],
      ]),
    );
    lab.log(
      `baseline: acknowledged=${usual.acknowledged}, missing=${usual.missing}; ` +
        `baton: acknowledged=${ours.acknowledged}, missing=${ours.missing} (${Date.now() - started} ms)`,
    );
    const shown = usual.acknowledged > 0 && usual.missing > 0;
    const prevented = ours.acknowledged > 0 && ours.missing === 0;
    if (!shown) lab.log('FAILED: the baseline lost no add, so the lab shows nothing');
    if (!prevented) lab.log('FAILED: Baton lost an acknowledged add');
    return shown && prevented;
  },
};

/** One session, one add to create it, then ADDS adds at once; counts what the cart kept. */
async function run(lab: LabContext, pair: ReplicaPair): Promise<Outcome> {
  const user = new LabUser(pair.url);
  const first = await user.cart('POST', SKUS[0]!);
  if (first.status !== 200)
    throw new Error(`${pair.label}: the first add answered ${first.status}`);
  const acked = [SKUS[0]!];
  const answers = await Promise.all(
    Array.from({ length: ADDS }, (_, i) => {
      const item = SKUS[i % SKUS.length]!;
      return user.cart('POST', item).then((answer) => ({ item, answer }));
    }),
  );
  for (const { item, answer } of answers) if (answer.status === 200) acked.push(item);
  const final = await user.cart('GET');
  if (final.status !== 200) throw new Error(`${pair.label}: GET /cart answered ${final.status}`);
  const servedBy = [...tally(answers.map(({ answer }) => answer.servedBy || 'none'))]
    .sort()
    .map(([node, n]) => `${node} ×${n}`)
    .join(', ');
  lab.log(`${pair.label}: ${acked.length - 1} of ${ADDS} concurrent adds acknowledged`);
  return {
    acknowledged: acked.length - 1,
    refused: ADDS - (acked.length - 1),
    inCart: final.cart.length - 1,
    missing: missingItems(acked, final.cart),
    servedBy,
  };
}
