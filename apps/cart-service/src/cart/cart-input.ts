import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { CART_LIMITS } from './cart.js';

/** Skus and the article's item names: short, lowercase, URL-safe. */
export const SKU_PATTERN = /^[a-z0-9-]{1,40}$/;

const sku = z.string({ error: 'must be a string' }).regex(SKU_PATTERN, {
  error: 'must be 1-40 of a-z, 0-9 and -',
});

const qty = (min: number) =>
  z
    .number({ error: `must be an integer from ${min} to ${CART_LIMITS.maxQtyPerLine}` })
    .int({ error: `must be an integer from ${min} to ${CART_LIMITS.maxQtyPerLine}` })
    .min(min, { error: `must be an integer from ${min} to ${CART_LIMITS.maxQtyPerLine}` })
    .max(CART_LIMITS.maxQtyPerLine, {
      error: `must be an integer from ${min} to ${CART_LIMITS.maxQtyPerLine}`,
    });

/**
 * `POST /api/cart/items`. Strict: an unknown field (`quantity` for `qty`) is an error rather than
 * silently adding the default of 1.
 */
export const addItemBody = z.strictObject({ sku, qty: qty(1).default(1) });

/** `PATCH /api/cart/items/:sku`; 0 removes the line. */
export const setQuantityBody = z.strictObject({ qty: qty(0) });

/**
 * Validates one input, or throws the client error that names the field: a bad quantity is 422
 * `INVALID_QUANTITY` (well-formed JSON, impossible value), anything else 400.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    throw new ApiError(400, 'UNKNOWN_FIELD', `Unknown field(s): ${issue.keys.join(', ')}`);
  }
  if (field === 'qty') throw new ApiError(422, 'INVALID_QUANTITY', `qty: ${issue?.message}`);
  if (field === '') throw new ApiError(400, 'INVALID_BODY', 'The body must be a JSON object');
  throw new ApiError(400, `INVALID_${field.toUpperCase()}`, `${field}: ${issue?.message}`);
}

/** Checks a sku (or the article's item name) taken from the URL path. */
export function parsePathSku(value: unknown, what: 'sku' | 'item'): string {
  if (typeof value === 'string' && SKU_PATTERN.test(value)) return value;
  throw new ApiError(
    400,
    `INVALID_${what.toUpperCase()}`,
    `${what}: must be 1-40 of a-z, 0-9 and -`,
  );
}
