import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CART_REPLICA_MAIN, type CartBackendName } from '@baton/bench';
import type { LabContext } from './lab-run.js';
import {
  type Balancing,
  type ReplicaPair,
  cartServiceMain,
  startReplicaPair,
} from './replica-pair.js';

/** The side a lab shows the failure on: one of the bench's cart replicas, the usual Node stack. */
export interface UsualSide {
  /** Names it in process names, directories and errors (`baseline`, `node-local`). */
  readonly label: string;
  /** Which of the bench's cart backends it runs (`baseline`, `memory`). */
  readonly variant: CartBackendName;
}

/**
 * Starts, at once, the two replica pairs a lab compares on the lab's one Valkey, each behind its
 * own nginx balancing the same way: the usual side, and Baton (apps/cart-service).
 */
export async function startUsualAndBaton(
  lab: LabContext,
  usual: UsualSide,
  balancing: Balancing,
): Promise<[usual: ReplicaPair, baton: ReplicaPair]> {
  const valkey = await lab.valkey();
  return Promise.all([
    startReplicaPair({
      supervisor: lab.supervisor,
      dir: join(lab.dir, usual.label),
      label: usual.label,
      main: CART_REPLICA_MAIN,
      env: {
        BENCH_VARIANT: usual.variant,
        BENCH_BASELINE_SECRET: randomBytes(24).toString('hex'),
      },
      valkeyUrl: valkey.url,
      balancing,
    }),
    startReplicaPair({
      supervisor: lab.supervisor,
      dir: join(lab.dir, 'baton'),
      label: 'baton',
      main: cartServiceMain(),
      env: {},
      valkeyUrl: valkey.url,
      balancing,
    }),
  ]);
}
