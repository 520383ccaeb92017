import { ApiError } from '../http/api-error.js';
import { CURRENCY, type Catalog } from '../catalog/catalog.js';

/**
 * The cart as the session stores it (attribute `cart`): lines in the order they were first added,
 * each a sku and a quantity. Names and prices are not stored; they come from the catalog when the
 * cart is read, so a price change never leaves stale copies in sessions.
 */
export interface CartLine {
  readonly sku: string;
  readonly qty: number;
}

export type Cart = readonly CartLine[];

/** Bounds that keep one session from growing without limit. */
export interface CartLimits {
  /** Distinct skus in one cart. */
  readonly maxLines: number;
  /** Quantity of one sku. */
  readonly maxQtyPerLine: number;
}

export const CART_LIMITS: CartLimits = { maxLines: 20, maxQtyPerLine: 99 };

/** The priced view that `/api/cart` answers with. Amounts are integer cents. */
export interface CartView {
  currency: string;
  lines: { sku: string; name: string; qty: number; price: number; lineTotal: number }[];
  /** Sum of the line totals, in cents. */
  total: number;
  /** Number of items (the sum of the quantities), e.g. for a badge. */
  count: number;
}

// Every function below is pure: they run inside `session.update()`, which may call them again on
// a newer cart when another request won the race.

/** Adds `qty` of `sku`: to its line if there is one, else as a new line at the end. */
export function addItem(cart: Cart, sku: string, qty: number, limits = CART_LIMITS): CartLine[] {
  const line = cart.find((l) => l.sku === sku);
  if (!line) {
    if (cart.length >= limits.maxLines) {
      throw new ApiError(
        422,
        'CART_FULL',
        `The cart already holds ${cart.length} different products, the most it may hold`,
      );
    }
    return [...cart, { sku, qty: checkedQty(sku, qty, limits) }];
  }
  const next = checkedQty(sku, line.qty + qty, limits);
  return cart.map((l) => (l.sku === sku ? { sku, qty: next } : l));
}

/** Sets the quantity of a line already in the cart; 0 removes it. */
export function setQuantity(
  cart: Cart,
  sku: string,
  qty: number,
  limits = CART_LIMITS,
): CartLine[] {
  if (!cart.some((l) => l.sku === sku)) {
    throw new ApiError(
      404,
      'NOT_IN_CART',
      `"${sku}" is not in the cart; add it with POST /api/cart/items`,
    );
  }
  if (qty === 0) return removeItem(cart, sku);
  const next = checkedQty(sku, qty, limits);
  return cart.map((l) => (l.sku === sku ? { sku, qty: next } : l));
}

/** Removes the line of `sku`; a cart without it is returned as it is. */
export function removeItem(cart: Cart, sku: string): CartLine[] {
  return cart.filter((l) => l.sku !== sku);
}

/**
 * The article's view: one entry per item, so 2 apples then a pear is `["apple","apple","pear"]`.
 * Lines whose sku left the catalog (a replica with an older catalog wrote them) are hidden.
 */
export function itemNames(cart: Cart, catalog: Catalog): string[] {
  return cart
    .filter((line) => catalog.find(line.sku))
    .flatMap((line) => Array.from({ length: line.qty }, () => line.sku));
}

/** The priced view; lines whose sku left the catalog are hidden, as in {@link itemNames}. */
export function priceCart(cart: Cart, catalog: Catalog): CartView {
  const lines: CartView['lines'] = [];
  for (const { sku, qty } of cart) {
    const product = catalog.find(sku);
    if (product)
      lines.push({
        sku,
        name: product.name,
        qty,
        price: product.price,
        lineTotal: product.price * qty,
      });
  }
  return {
    currency: CURRENCY,
    lines,
    total: lines.reduce((sum, line) => sum + line.lineTotal, 0),
    count: lines.reduce((sum, line) => sum + line.qty, 0),
  };
}

/** @private */
function checkedQty(sku: string, qty: number, limits: CartLimits): number {
  if (qty > limits.maxQtyPerLine) {
    throw new ApiError(
      422,
      'QUANTITY_LIMIT_EXCEEDED',
      `qty: the cart may hold at most ${limits.maxQtyPerLine} of "${sku}"; this would make ${qty}`,
    );
  }
  return qty;
}
