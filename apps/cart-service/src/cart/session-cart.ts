import type { Session } from '@baton/session';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { Cart, CartLine } from './cart.js';
import type { CartVersion } from './cart-versions.js';
import type { IdempotentRequest } from './idempotency-key.js';
import {
  DEFAULT_LINE_FORMAT,
  type LineFormat,
  encodeLines,
  objectLines,
  storedLines,
} from './line-format.js';
import type { CartWithSaved } from './saved-for-later.js';

/** The session attribute both route families read and write. Other apps may read it, never write it. */
export const CART_ATTRIBUTE = 'cart';

/**
 * How long a keyed change's record lives, in ms: the window in which a retry with the same
 * `Idempotency-Key` gets the first answer again. The gateway resends a cut write after 100 ms and
 * the UI after < 1 s; five minutes also covers a shopper who reloads and sends the form again, or a
 * phone that comes back online. After the window a retry is a new change. Each record is its own
 * key (`<session key>:r:<key>`, see `Session.updateOnce`), so the resting session holds none.
 */
export const REPLAY_WINDOW_MS = 60_000;

/**
 * One keyed change's record, and the answer it got: the fingerprint of what was asked, the
 * status, the replica that made it and the lines as written. A retry is answered from this,
 * priced again from the catalog. Short field names: it is written with every keyed change.
 */
interface RememberedWrite {
  /** fingerprint */
  readonly f: string;
  /** status */
  readonly s: number;
  /** servedBy */
  readonly b: string;
  /** the lines as written */
  readonly l: Cart;
}

/**
 * The attribute's value as this code reads it: `{ "lines": ["apple", 2, "pear", 1] }` (or the
 * `[{ "sku", "qty" }, …]` lines earlier releases wrote; line-format.ts), and from cart v2 on
 * `"saved": [{ "sku", "qty" }, …]` beside it (cart-versions.ts). An object, not a bare array of
 * lines, so that a v1 replica writing back a v2 cart mid-deploy keeps `saved`: the session's
 * attribute schema keeps the top-level fields an older replica's value lacks, and an array has none.
 */
export interface StoredCart {
  readonly lines: Cart;
  /** Cart v2: the "saved for later" list (saved-for-later.ts). v1 code never sees it. */
  readonly saved?: Cart;
}

/** {@link StoredCart} as it is written: its lines in the replica's {@link LineFormat}. */
interface WrittenCart {
  readonly lines: readonly unknown[];
  readonly saved?: Cart;
}

/**
 * What a stored cart must look like: `lines` in either line format. Anything else under `cart`
 * (written by hand in valkey-cli, say) is read as an empty cart instead of failing every request
 * of that user; the next change overwrites it. Two earlier formats are read as their lines: a
 * bare array of lines, and `{ "lines", "writes" }` from before records had keys of their own,
 * whose `writes` are still recognised as retries while sessions written before the upgrade are
 * around. Both only ever held lines as objects, and so do `saved` and the records: they are
 * written as they always were.
 */
const storedCart = z.object({ lines: storedLines });
/** Cart v2: the session upcasts a v1 cart (cart-versions.ts), so `saved` is always there. */
const storedCartV2 = storedCart.extend({ saved: objectLines });
const legacyCart = z.object({
  lines: objectLines,
  writes: z.array(
    z.object({
      key: z.string(),
      fingerprint: z.string(),
      status: z.number().int(),
      servedBy: z.string(),
      lines: objectLines,
    }),
  ),
});
const record = z.object({ f: z.string(), s: z.number().int(), b: z.string(), l: objectLines });

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
  /** How this replica writes the lines (line-format.ts; it reads both). @default 'pairs' */
  lineFormat?: LineFormat;
}

/** The cart as this request loaded it. Reading never writes, so it never creates a session. */
export function readCart(session: Session): Cart {
  return toStoredCart(session.get(CART_ATTRIBUTE)).lines;
}

/** Cart v2: the lines and the saved-for-later list as this request loaded them. */
export function readSaved(session: Session): CartWithSaved {
  const { lines, saved = [] } = toStoredCart(session.get(CART_ATTRIBUTE), 2);
  return { lines, saved };
}

/**
 * Changes the cart with `session.update()`: compare-and-set in Valkey, retried on a newer cart
 * when another request (on any replica) changed it in between, so concurrent adds are never lost.
 * `change` must be pure; if it throws (a 404 or 422), nothing is written. The same script
 * publishes the session's id on `channel` (live views, see `cart-changes.ts`): one round trip.
 *
 * With a key, `session.updateOnce()` writes the change and its record in one script; a duplicate
 * that arrives later, or raced the original on another replica and lost, finds the record there
 * and gets the original's answer, writing nothing. A duplicate whose `change` refuses the cart
 * as it is now (a retried removal finds the line gone) looks the record up before answering 404.
 */
export async function changeCart(
  session: Session,
  change: (cart: Cart) => CartLine[],
  channel: string,
  options: ChangeOptions,
): Promise<CartChange> {
  const { idempotent, servedBy, version = 1, lineFormat = DEFAULT_LINE_FORMAT } = options;
  const statusOf = options.status ?? (() => 200);
  const publish = { publish: channel };
  // The lines as the handler sees them, read back from what was written (in either format).
  const linesOf = (written: WrittenCart): Cart => toStoredCart(written, version).lines;
  const changed = (written: WrittenCart): CartChange => {
    const cart = linesOf(written);
    return { cart, status: statusOf(cart), servedBy, replayed: false };
  };
  const apply = (value: unknown): WrittenCart => {
    const before = toStoredCart(value, version);
    return { ...before, lines: encodeLines(change(before.lines), lineFormat) };
  };
  if (!idempotent) {
    return changed(await session.update<WrittenCart>(CART_ATTRIBUTE, apply, publish));
  }
  // The record keeps the lines as objects, whatever the cart is written in: a replay answers
  // exactly what the first attempt did, on a replica of either line format.
  const remember = {
    name: idempotent.key,
    ttlMs: REPLAY_WINDOW_MS,
    value: (written: WrittenCart) => {
      const cart = linesOf(written);
      return JSON.stringify({ f: idempotent.fingerprint, s: statusOf(cart), b: servedBy, l: cart });
    },
  };
  try {
    const result = await session.updateOnce<WrittenCart>(
      CART_ATTRIBUTE,
      remember,
      (value) => {
        const earlier = legacyWrite(value, idempotent);
        if (earlier) throw new AlreadyMade(earlier);
        return apply(value);
      },
      publish,
    );
    if (result.recorded === undefined) return changed(result.value);
    return await replayOf(session, parseRecord(result.recorded), idempotent);
  } catch (err) {
    if (err instanceof AlreadyMade) return replayOf(session, err.write, idempotent);
    if (!(err instanceof ApiError)) throw err;
    const recorded = await session.findRecord(idempotent.key);
    if (recorded === undefined) throw err;
    return replayOf(session, parseRecord(recorded), idempotent);
  }
}

/**
 * @private Thrown inside the update function to stop it without writing: the change was made
 * already, by the request that carried the same key first (recorded in the legacy format).
 */
class AlreadyMade extends Error {
  constructor(readonly write: RememberedWrite) {
    super('already made under this Idempotency-Key');
  }
}

/**
 * @private The earlier answer again, once the durable-writes policy confirmed the change; 422
 * when the key came with another request. A replay writes nothing, so no write's WAIT vouches
 * for it: without this, a first attempt whose write reached the primary but not the replicas
 * (503 SESSION_NOT_REPLICATED) would be answered 201 on its retry while the change could still
 * vanish in a failover. Without durable writes `confirmDurable()` costs nothing.
 */
async function replayOf(
  session: Session,
  write: RememberedWrite,
  { fingerprint }: IdempotentRequest,
): Promise<CartChange> {
  if (write.f !== fingerprint) {
    throw new ApiError(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'Idempotency-Key: this key was used for a different request; send a new key for a new change',
    );
  }
  await session.confirmDurable();
  return { cart: write.l, status: write.s, servedBy: write.b, replayed: true };
}

/** @private A record as `changeCart` wrote it; one of another shape counts as a reused key. */
function parseRecord(text: string): RememberedWrite {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = record.safeParse(value);
  return parsed.success ? parsed.data : { f: '', s: 0, b: '', l: [] };
}

/**
 * Cart v2: moves lines between the cart and the saved list with `session.update()`, as
 * {@link changeCart} does (`change` pure, nothing written when it throws), publishing on
 * `channel` from the same script. No Idempotency-Key: the saved routes are PUT and DELETE, the
 * same change every time.
 */
export async function changeSaved(
  session: Session,
  change: (cart: CartWithSaved) => CartWithSaved,
  channel: string,
  lineFormat: LineFormat = DEFAULT_LINE_FORMAT,
): Promise<CartWithSaved> {
  const written = await session.update<WrittenCart>(
    CART_ATTRIBUTE,
    (current) => {
      const before = toStoredCart(current, 2);
      const after = change({ lines: before.lines, saved: before.saved ?? [] });
      return { ...before, lines: encodeLines(after.lines, lineFormat), saved: after.saved };
    },
    { publish: channel },
  );
  const { lines, saved = [] } = toStoredCart(written, 2);
  return { lines, saved };
}

/** @private A write under the request's key in a cart stored in the legacy format. */
function legacyWrite(value: unknown, { key }: IdempotentRequest): RememberedWrite | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  const parsed = legacyCart.safeParse(value);
  const write = parsed.success ? parsed.data.writes.find((w) => w.key === key) : undefined;
  return write && { f: write.fingerprint, s: write.status, b: write.servedBy, l: write.lines };
}

/** @private As the replica's cart model reads it: v1 drops what it does not know, as v1 did. */
function toStoredCart(value: unknown, version: CartVersion = 1): StoredCart {
  const empty: StoredCart = version === 2 ? { lines: [], saved: [] } : { lines: [] };
  if (value === undefined) return empty;
  const bare = objectLines.safeParse(value);
  if (bare.success) return { ...empty, lines: bare.data };
  const parsed = (version === 2 ? storedCartV2 : storedCart).safeParse(value);
  if (parsed.success) return { ...empty, ...parsed.data };
  const legacy = legacyCart.safeParse(value);
  return legacy.success ? { ...empty, lines: legacy.data.lines } : empty;
}
