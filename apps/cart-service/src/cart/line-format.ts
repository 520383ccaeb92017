import { z } from 'zod';
import type { Cart, CartLine } from './cart.js';

/**
 * How the cart's `lines` are stored in the session. This build reads both; CART_LINE_FORMAT
 * (config.ts) picks the one it writes.
 *
 * - `pairs` (the default): `["apple",2,"pear",1]`, sku then quantity, in first-added order. Half
 *   the bytes of `objects` for a 10-line cart, so the resting session stays within the baseline's.
 *   Not a map (`{"apple":2}`), although that is as short: JavaScript orders integer-like keys first,
 *   so a cart of `kiwi` then `7` (a valid sku) would read back as `7`, `kiwi`.
 * - `objects`: `[{"sku":"apple","qty":2},…]`, what every earlier release wrote and the only one
 *   it reads. Written by the build that rolls out first, while earlier replicas still run
 *   (docs/session-schema-evolution.md, "Changing what a field holds").
 *
 * The two cannot be mistaken for each other: an empty cart is `[]` in both, and otherwise the
 * first element is an object in one and a string in the other.
 */
export type LineFormat = 'objects' | 'pairs';

export const LINE_FORMATS = ['objects', 'pairs'] as const satisfies readonly LineFormat[];

/** What a replica writes unless CART_LINE_FORMAT says otherwise. */
export const DEFAULT_LINE_FORMAT: LineFormat = 'pairs';

const line = z.object({ sku: z.string().min(1), qty: z.number().int().positive() });

/** Lines as every release before `pairs` stored them. Idempotency records keep this format. */
export const objectLines = z.array(line);

const pairLines = z.array(z.union([z.string(), z.number()])).transform((flat, ctx) => {
  const lines: CartLine[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const parsed = line.safeParse({ sku: flat[i], qty: flat[i + 1] });
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `no sku and quantity at ${i}` });
      return z.NEVER;
    }
    lines.push(parsed.data);
  }
  return lines;
});

/** Stored lines in either format, read as the cart's lines. Anything else fails to parse. */
export const storedLines = z.union([objectLines, pairLines]);

/** The cart's lines as `format` stores them. */
export function encodeLines(cart: Cart, format: LineFormat): unknown[] {
  if (format === 'objects') return cart.map(({ sku, qty }) => ({ sku, qty }));
  return cart.flatMap(({ sku, qty }) => [sku, qty]);
}
