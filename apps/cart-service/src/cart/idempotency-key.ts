import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ApiError } from '../http/api-error.js';

/** The request header a client names one intended change with, reused on every retry of it. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Set on an answer that repeats a change already made under the same key instead of making it. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * What a key may be: a UUID fits, and so does any other random token of up to 64 URL-safe
 * characters. Nothing that could smuggle a separator, a space or a control character into a log.
 */
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const HEADER = IDEMPOTENCY_KEY_HEADER.toLowerCase();

/**
 * One keyed cart write as the session records it: the client's key and a fingerprint of what was
 * asked, so a key sent again with another request is refused instead of answered with the wrong
 * change.
 */
export interface IdempotentRequest {
  readonly key: string;
  /** SHA-256 (base64url, 22 characters) of method, path and the validated input. */
  readonly fingerprint: string;
}

/**
 * Checks the `Idempotency-Key` of a cart write before anything else reads the request. Absent is
 * fine (the write then behaves as before: applied every time it arrives). Present but not 1-64 of
 * `A-Z a-z 0-9 _ -` (empty, too long, two headers joined by a comma) is a 400: guessing what the
 * client meant could apply a change twice.
 */
export function idempotencyKey(): RequestHandler {
  return function checkIdempotencyKey(req, _res, next) {
    const key = req.headers[HEADER];
    if (key === undefined || (typeof key === 'string' && KEY_PATTERN.test(key))) return next();
    next(
      new ApiError(
        400,
        'INVALID_IDEMPOTENCY_KEY',
        `${IDEMPOTENCY_KEY_HEADER}: must be 1-64 of A-Z, a-z, 0-9, _ and - (a UUID fits)`,
      ),
    );
  };
}

/**
 * The keyed request of a write that passed {@link idempotencyKey}, fingerprinted with its
 * validated `input`; undefined when the client sent no key.
 */
export function idempotentRequest(req: Request, input: unknown): IdempotentRequest | undefined {
  const key = req.headers[HEADER];
  if (typeof key !== 'string') return undefined;
  return { key, fingerprint: fingerprintOf(req.method, req.path, input) };
}

/**
 * @private The validated input, not the raw body: `{"sku":"apple"}` and `{ "qty": 1, "sku":
 * "apple" }` ask for the same change and may share a key.
 */
function fingerprintOf(method: string, path: string, input: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path} ${JSON.stringify(input ?? null)}`)
    .digest('base64url')
    .slice(0, 22);
}
