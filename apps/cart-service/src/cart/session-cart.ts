import type { Session } from '@baton/session';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { Cart, CartLine } from './cart.js';
import type { CartChangePublisher } from './cart-changes.js';
import type { CartVersion } from './cart-versions.js';
import type { CartWithSaved } from './saved-for-later.js';
import type { IdempotentRequest } from './idempotency-key.js';

/** The session attribute both route families read and write. Other apps may read it, never write it. */
export const CART_ATTRIBUTE = 'cart';

/**
 * How many keyed writes a cart remembers. A retry comes within seconds of its original (the
 * gateway retries at once, the UI after < 1 s), while a shopper makes a handful of changes in that
 * time; 20 keeps the attribute small (a few kB at most) and the session bounded.
 */
export const MAX_REMEMBERED_WRITES = 20;

/**
 * One keyed change the cart remembers, and the answer it got: the status and the replica that
 * made it, and the lines as written. A retry is answered from this, priced again from the
 * catalog.
 */
export interface RememberedWrite {
  readonly key: string;
  readonly fingerprint: string;
  readonly status: number;
  readonly servedBy: string;
  readonly lines: Cart;
}

/**
 * The attribute's value: `{ "lines": [...], "writes": [...] }`. The remembered writes live in the
 * same value as the lines on purpose: one compare-and-set writes both, so there is no instant at
 * which a change is in the cart but its key is not (a crash there would let a retry apply it
 * twice).
 */
export interface StoredCart {
  readonly lines: Cart;
  readonly writes: readonly RememberedWrite[];
  /** Cart v2: the "saved for later" list (saved-for-later.ts). v1 code never sees it. */
  readonly saved?: Cart;
}

/**
 * What a stored cart must look like. Anything else under `cart` (written by an older version, or
 * by hand in valkey-cli) is read as an empty cart instead of failing every request of that user;
 * the next change overwrites it. A bare array of lines (the format before remembered writes) is
 * read as lines with nothing remembered.
 */
const line = z.object({ sku: z.string().min(1), qty: z.number().int().positive() });
const lines = z.array(line);
const storedCart = z.object({
  lines,
  writes: z.array(
    z.object({
      key: z.string(),
      fingerprint: z.string(),
      status: z.number().int(),
      servedBy: z.string(),
      lines,
    }),
  ),
});
/** Cart v2 (cart-versions.ts): the session upcasts a v1 cart, so `saved` is always there. */
const storedCartV2 = storedCart.extend({ saved: lines });

/** What {@link changeCart} did: applied the change now, or found it already made under its key. */
export interface CartChange {
  readonly cart: Cart;
  readonly status: number;
  /** The replica that made the change: this one, or the one that answered the first attempt. */
  readonly servedBy: string;
  /** True when the answer repeats an earlier change with the same key; nothing was written. */
  readonly replayed: boolean;
}

export interface ChangeOptions {
  /** This replica's INSTANCE_ID, remembered with a keyed change. */
  servedBy: string;
  /** The status of the answer for the cart as written (201 for a new line). @default 200 */
  status?: (cart: Cart) => number;
  /** The client's key; without one the change is applied every time it arrives. */
  idempotent?: IdempotentRequest | undefined;
  /** The cart model this replica runs: v2 keeps `saved` through the change. @default 1 */
  version?: CartVersion;
}

/** The cart as this request loaded it. Reading never writes, so it never creates a session. */
export function readCart(session: Session): Cart {
  return readStored(session).lines;
}

/**
 * The answer an earlier change under `idempotent`'s key got, as this request loaded the session;
 * undefined if there is none. Throws 422 `IDEMPOTENCY_KEY_REUSED` when the key was used for a
 * different request. With durable writes, resolves only once the change is on enough replicas
 * (see {@link replayOf}).
 */
export async function rememberedWrite(
  session: Session,
  idempotent: IdempotentRequest | undefined,
): Promise<CartChange | undefined> {
  const write = idempotent && findWrite(readStored(session), idempotent);
  return write && replayOf(session, write);
}

/**
 * Changes the cart with `session.update()`: compare-and-set in Valkey, retried on a newer cart
 * when another request (on any replica) changed it in between, so concurrent adds are never lost.
 * `change` must be pure; if it throws (a 404 or 422), nothing is written. Once the write is
 * acknowledged, `changes` tells the gateways (live views).
 *
 * With a key, the check for an earlier change under it runs inside the compare-and-set too: a
 * duplicate that raced the original on another replica loses the race, reruns on the cart the
 * original wrote, finds the key there and answers with the original's answer, writing nothing.
 */
export async function changeCart(
  session: Session,
  change: (cart: Cart) => CartLine[],
  changes: CartChangePublisher,
  options: ChangeOptions,
): Promise<CartChange> {
  const { idempotent, servedBy, version = 1 } = options;
  const statusOf = options.status ?? (() => 200);
  try {
    const stored = await session.update<StoredCart>(CART_ATTRIBUTE, (current) => {
      const before = toStoredCart(current, version);
      const earlier = idempotent && findWrite(before, idempotent);
      if (earlier) throw new AlreadyMade(earlier);
      const after = change(before.lines);
      if (!idempotent) return { ...before, lines: after };
      const write = { ...idempotent, status: statusOf(after), servedBy, lines: after };
      return {
        ...before,
        lines: after,
        writes: [...before.writes, write].slice(-MAX_REMEMBERED_WRITES),
      };
    });
    changes.changed(session.id);
    const written = idempotent ? stored.writes.at(-1) : undefined;
    return {
      cart: stored.lines,
      status: written?.status ?? statusOf(stored.lines),
      servedBy,
      replayed: false,
    };
  } catch (err) {
    if (err instanceof AlreadyMade) return replayOf(session, err.write);
    throw err;
  }
}

/**
 * @private Thrown inside the update function to stop it without writing: the change was made
 * already, by the request that carried the same key first.
 */
class AlreadyMade extends Error {
  constructor(readonly write: RememberedWrite) {
    super('already made under this Idempotency-Key');
  }
}

/**
 * @private The earlier answer again, once the durable-writes policy confirmed the change. A
 * replay writes nothing, so no write's WAIT vouches for it: without this, a first attempt whose
 * write reached the primary but not the replicas (503 SESSION_NOT_REPLICATED) would be answered
 * 201 on its retry while the change could still vanish in a failover. Without durable writes
 * `confirmDurable()` costs nothing.
 */
async function replayOf(session: Session, write: RememberedWrite): Promise<CartChange> {
  await session.confirmDurable();
  return { cart: write.lines, status: write.status, servedBy: write.servedBy, replayed: true };
}

/** @private The write remembered under the request's key; 422 if it was another request. */
function findWrite(
  stored: StoredCart,
  { key, fingerprint }: IdempotentRequest,
): RememberedWrite | undefined {
  const write = stored.writes.find((w) => w.key === key);
  if (write && write.fingerprint !== fingerprint) {
    throw new ApiError(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'Idempotency-Key: this key was used for a different request; send a new key for a new change',
    );
  }
  return write;
}

/** @private */
function readStored(session: Session): StoredCart {
  return toStoredCart(session.get(CART_ATTRIBUTE));
}

/** Cart v2: the lines and the saved-for-later list as this request loaded them. */
export function readSaved(session: Session): CartWithSaved {
  const { lines, saved = [] } = toStoredCart(session.get(CART_ATTRIBUTE), 2);
  return { lines, saved };
}

/**
 * Cart v2: moves lines between the cart and the saved list with `session.update()`, as
 * {@link changeCart} does (`change` pure, nothing written when it throws), keeping the remembered
 * writes. No Idempotency-Key: the saved routes are PUT and DELETE, the same change every time.
 */
export async function changeSaved(
  session: Session,
  change: (cart: CartWithSaved) => CartWithSaved,
  changes: CartChangePublisher,
): Promise<CartWithSaved> {
  const stored = await session.update<StoredCart>(CART_ATTRIBUTE, (current) => {
    const before = toStoredCart(current, 2);
    return { ...before, ...change({ lines: before.lines, saved: before.saved ?? [] }) };
  });
  changes.changed(session.id);
  return { lines: stored.lines, saved: stored.saved ?? [] };
}

/** @private As the replica's cart model reads it: v1 drops what it does not know, as v1 did. */
function toStoredCart(value: unknown, version: CartVersion = 1): StoredCart {
  const empty: StoredCart =
    version === 2 ? { lines: [], writes: [], saved: [] } : { lines: [], writes: [] };
  if (value === undefined) return empty;
  const legacy = lines.safeParse(value);
  if (legacy.success) return { ...empty, lines: legacy.data };
  const parsed = (version === 2 ? storedCartV2 : storedCart).safeParse(value);
  return parsed.success ? parsed.data : empty;
}
