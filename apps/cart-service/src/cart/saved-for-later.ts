import { ApiError } from '../http/api-error.js';
import type { Cart, CartLine, CartLimits } from './cart.js';
import { CART_LIMITS } from './cart.js';

/**
 * Cart v2's "saved for later" list: lines the shopper moved out of the cart to buy another time,
 * each a sku and the quantity it had. Stored beside the lines in the `cart` attribute (`saved`),
 * so one compare-and-set moves a line from one list to the other.
 */
export interface CartWithSaved {
  readonly lines: Cart;
  readonly saved: Cart;
}

// Pure, like cart.ts: they run inside `session.update()`, which may call them again.

/**
 * Moves `sku` to the saved list: its line with its quantity when the cart has one, else 1 of it.
 * Already saved: nothing changes (so a PUT sent twice is one change).
 */
export function saveForLater(
  cart: CartWithSaved,
  sku: string,
  limits: CartLimits = CART_LIMITS,
): CartWithSaved {
  if (cart.saved.some((item) => item.sku === sku)) return cart;
  if (cart.saved.length >= limits.maxLines) {
    throw new ApiError(
      422,
      'SAVED_FULL',
      `${cart.saved.length} products are saved for later, the most the list may hold`,
    );
  }
  const line: CartLine = cart.lines.find((l) => l.sku === sku) ?? { sku, qty: 1 };
  return {
    lines: cart.lines.filter((l) => l.sku !== sku),
    saved: [...cart.saved, { sku, qty: line.qty }],
  };
}

/** Takes `sku` off the saved list; a list without it is returned as it is. */
export function forgetSaved(cart: CartWithSaved, sku: string): CartWithSaved {
  return { lines: cart.lines, saved: cart.saved.filter((item) => item.sku !== sku) };
}
