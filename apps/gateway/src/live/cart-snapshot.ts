import type { SessionRecord } from '@baton/session';
import { z } from 'zod';

/**
 * The session attribute cart-service writes: `{ "lines": ["apple", 2, "pear", 1] }` (sku, then
 * quantity), or as releases before that wrote it, `{ "lines": [{ "sku": "apple", "qty": 2 }, …] }`,
 * a bare array of such lines, or `{ "lines", "writes" }`. Cart v2 adds `"@v"` and `"saved"`, which
 * the gateway leaves alone. The gateway only reads the lines, in every format cart-service may
 * have written them (a gateway that could not would push an empty cart while a deploy of
 * cart-service runs); cart-service owns the shape (its line-format.ts).
 */
export const CART_ATTRIBUTE = 'cart';

const line = z.object({ sku: z.string().min(1).max(40), qty: z.number().int().positive() });
const objectLines = z.array(line);
/** `["apple", 2, "pear", 1]`: read two at a time; an odd or mistyped entry fails the whole cart. */
const pairLines = z
  .array(z.union([z.string(), z.number()]))
  .refine((flat) => flat.length % 2 === 0)
  .transform((flat) => flat.flatMap((sku, i) => (i % 2 === 0 ? [{ sku, qty: flat[i + 1] }] : [])))
  .pipe(objectLines);
const storedLines = z.union([objectLines, pairLines]);
const storedCart = z.union([
  objectLines,
  z.object({ lines: storedLines }).transform((c) => c.lines),
]);

/** What a `{ "type": "cart" }` message carries: the stored lines, unpriced, and the item count. */
export interface CartSnapshot {
  lines: { sku: string; qty: number }[];
  count: number;
}

/**
 * The cart of a loaded session, as pushed to its sockets. A value of another shape (not written
 * by cart-service) reads as empty, as cart-service itself reads it.
 */
export function cartSnapshotOf(record: SessionRecord): CartSnapshot {
  const parsed = storedCart.safeParse(record.attributes.get(CART_ATTRIBUTE)?.value ?? []);
  const lines = parsed.success ? parsed.data.map(({ sku, qty }) => ({ sku, qty })) : [];
  return { lines, count: lines.reduce((sum, line) => sum + line.qty, 0) };
}
