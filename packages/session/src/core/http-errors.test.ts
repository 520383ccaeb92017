import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SessionAttributeTooLargeError,
  SessionStoreUnavailableError,
  SessionUpdateConflictError,
} from './errors.js';
import { toHttpError } from './http-errors.js';

describe('toHttpError', () => {
  it('maps store unavailable to 503 with Retry-After and a JSON body', () => {
    const mapped = toHttpError(new SessionStoreUnavailableError(new Error('ECONNREFUSED')));
    assert.equal(mapped?.status, 503);
    assert.equal(mapped?.headers['Retry-After'], '1');
    assert.equal(mapped?.body.error.code, 'SESSION_STORE_UNAVAILABLE');
  });

  it('maps size limits to 413 and conflicts to 409', () => {
    assert.equal(toHttpError(new SessionAttributeTooLargeError('cart', 10, 5))?.status, 413);
    assert.equal(toHttpError(new SessionUpdateConflictError('cart', 32))?.status, 409);
  });

  it('leaves other errors to the framework', () => {
    assert.equal(toHttpError(new Error('boom')), undefined);
  });
});
