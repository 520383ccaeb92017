import type { Session } from '@baton/session';
import { z } from 'zod';
import type { Cart, CartLine } from './cart.js';
import type { CartChangePublisher } from './cart-changes.js';

/** The session attribute both route families read and write. Other apps may read it, never write it. */
export const CART_ATTRIBUTE = 'cart';

/**
 * What a stored cart must look like. Anything else under `cart` (written by an older version, or
 * by hand in valkey-cli) is read as an empty cart instead of failing every request of that user;
 * the next change overwrites it.
 */
const storedCart = z.array(z.object({ sku: z.string().min(1), qty: z.number().int().positive() }));

/** The cart as this request loaded it. Reading never writes, so it never creates a session. */
export function readCart(session: Session): Cart {
  return toCart(session.get(CART_ATTRIBUTE));
}

/**
 * Changes the cart with `session.update()`: compare-and-set in Valkey, retried on a newer cart
 * when another request (on any replica) changed it in between, so concurrent adds are never lost.
 * `change` must be pure; if it throws (a 404 or 422), nothing is written. Once the write is
 * acknowledged, `changes` tells the gateways (live views). Resolves with the cart as written.
 */
export async function changeCart(
  session: Session,
  change: (cart: Cart) => CartLine[],
  changes: CartChangePublisher,
): Promise<Cart> {
  const cart = await session.update<CartLine[]>(CART_ATTRIBUTE, (current) =>
    change(toCart(current)),
  );
  changes.changed(session.id);
  return cart;
}

/** @private */
function toCart(value: unknown): Cart {
  if (value === undefined) return [];
  const parsed = storedCart.safeParse(value);
  return parsed.success ? parsed.data : [];
}
