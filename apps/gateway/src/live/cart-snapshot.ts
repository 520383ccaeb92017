import type { SessionRecord } from '@baton/session';
import { z } from 'zod';

/**
 * The session attribute cart-service writes: `{ "lines": [{ "sku": "apple", "qty": 2 }, …] }`
 * (cart v2 adds `"@v"` and `"saved"`, which the gateway leaves alone), or as earlier releases
 * wrote it, a bare array of lines or `{ "lines", "writes" }`. The gateway only reads the lines;
 * cart-service owns the shape.
 */
export const CART_ATTRIBUTE = 'cart';

const storedLines = z.array(
  z.object({ sku: z.string().min(1).max(40), qty: z.number().int().positive() }),
);
const storedCart = z.union([
  storedLines,
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
