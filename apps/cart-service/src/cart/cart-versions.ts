import type { AttributeSchema } from '@baton/session';
import { DEFAULT_LINE_FORMAT, type LineFormat } from './line-format.js';

/**
 * The cart models cart-service has shipped, both in this codebase so that one fleet can run them
 * side by side (CART_VERSION, config.ts):
 *
 * - **1**: `{ "lines": [...] }` (earlier releases: a bare array of lines, then
 *   `{ "lines", "writes" }` with the idempotency records inside; both still read). The lines are
 *   `["apple",2,…]` pairs or, as releases before them wrote, `[{"sku":"apple","qty":2},…]`
 *   objects: every replica reads both, and CART_LINE_FORMAT picks what it writes
 *   (line-format.ts). That is not a version of the attribute: it changes what the existing field
 *   `lines` holds, which a tolerant writer cannot bridge (an older replica would read the new
 *   lines as no cart), so it rolls out in two deploys instead, readers first
 *   (docs/session-schema-evolution.md, "Changing what a field holds").
 * - **2**: adds `"saved": [{ "sku", "qty" }]`, the "saved for later" list. Only a new top-level
 *   field (the expand step of docs/session-schema-evolution.md): a v1 replica that writes a v2
 *   cart keeps `saved` through the session's attribute schema, and v1 code reads a v2 cart as the
 *   v1 cart it contains.
 */
export type CartVersion = 1 | 2;

/** What a replica runs: its cart model and the line format it writes. */
export interface CartModel {
  readonly version: CartVersion;
  readonly lineFormat: LineFormat;
}

export const DEFAULT_CART_MODEL: CartModel = { version: 1, lineFormat: DEFAULT_LINE_FORMAT };

/**
 * The `cart` attribute's schema as a replica of `version` registers it. v1 stores untagged JSON,
 * byte for byte what it stored before schemas existed; v2 is tagged `"@v":2` and upcasts a v1 cart
 * (an empty `saved`; a bare array of lines becomes `{ lines, saved: [] }`).
 */
export function cartAttributeSchema(version: CartVersion): AttributeSchema {
  if (version === 1) return {};
  return { version: 2, upcasters: { 1: upcastToV2 } };
}

/** @private Anything that is no cart is handed on as it is: the cart code reads it as empty. */
function upcastToV2(v1: unknown): unknown {
  if (Array.isArray(v1)) return { lines: v1, saved: [] };
  if (v1 !== null && typeof v1 === 'object') return { ...v1, saved: [] };
  return v1;
}
