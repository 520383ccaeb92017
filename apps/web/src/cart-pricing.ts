// Turns the cart a `/ws` push carries (skus and quantities, as the session stores them) into the
// priced view `/api/cart` answers with, using the catalog the page already loaded.

export interface PricedCart {
  currency: string;
  lines: { sku: string; name: string; qty: number; price: number; lineTotal: number }[];
  total: number;
  count: number;
}

export interface PushedLine {
  sku: string;
  qty: number;
}

/**
 * The priced cart, or undefined when a sku is not in `products` (catalog not loaded yet, or a
 * newer one on the server): then the caller asks `/api/cart`, which prices it authoritatively.
 */
export function priceLines(
  lines: readonly PushedLine[],
  products: readonly { sku: string; name: string; price: number }[],
  currency: string,
): PricedCart | undefined {
  const priced: PricedCart['lines'] = [];
  for (const { sku, qty } of lines) {
    const product = products.find((p) => p.sku === sku);
    if (!product) return undefined;
    priced.push({
      sku,
      name: product.name,
      qty,
      price: product.price,
      lineTotal: qty * product.price,
    });
  }
  return {
    currency,
    lines: priced,
    total: priced.reduce((sum, line) => sum + line.lineTotal, 0),
    count: priced.reduce((sum, line) => sum + line.qty, 0),
  };
}
