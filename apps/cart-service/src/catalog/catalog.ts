import { ApiError } from '../http/api-error.js';

/** A product the shop sells. `price` is in integer cents of {@link CURRENCY}, never a float. */
export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly emoji: string;
}

export const CURRENCY = 'EUR';

/**
 * The demo's fruit stand. `apple` and `pear` are the article's items, so its curl demo
 * (`POST /cart/apple`, `POST /cart/pear`) and the shop UI fill the same cart.
 */
export const DEMO_PRODUCTS: readonly Product[] = Object.freeze([
  { sku: 'apple', name: 'Apple', price: 60, emoji: '🍎' },
  { sku: 'pear', name: 'Pear', price: 75, emoji: '🍐' },
  { sku: 'banana', name: 'Banana', price: 35, emoji: '🍌' },
  { sku: 'orange', name: 'Orange', price: 80, emoji: '🍊' },
  { sku: 'lemon', name: 'Lemon', price: 50, emoji: '🍋' },
  { sku: 'kiwi', name: 'Kiwi', price: 45, emoji: '🥝' },
  { sku: 'grapes', name: 'Grapes (500 g)', price: 320, emoji: '🍇' },
  { sku: 'cherries', name: 'Cherries (250 g)', price: 450, emoji: '🍒' },
]);

/**
 * The products this replica knows. It is static and the same on every replica; the cart stores
 * only skus and quantities, so names and prices always come from here, at read time.
 */
export class Catalog {
  private readonly bySku: ReadonlyMap<string, Product>;

  constructor(readonly products: readonly Product[] = DEMO_PRODUCTS) {
    this.bySku = new Map(products.map((product) => [product.sku, product]));
  }

  find(sku: string): Product | undefined {
    return this.bySku.get(sku);
  }

  /** The product, or a 404 whose message lists what exists. `what` names the input ("sku", "item"). */
  require(sku: string, what: 'sku' | 'item' = 'sku'): Product {
    const product = this.bySku.get(sku);
    if (product) return product;
    throw new ApiError(
      404,
      what === 'item' ? 'UNKNOWN_ITEM' : 'UNKNOWN_SKU',
      `No product "${sku}" in the catalog; known ${what}s: ${[...this.bySku.keys()].join(', ')}`,
    );
  }
}
