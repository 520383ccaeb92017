import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { loginBody } from '../account/dto/login.dto.js';
import { ApiException } from './api.exception.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

/** The ApiException a pipe throws for a value. */
function rejectionOf(pipe: ZodValidationPipe<z.ZodType>, value: unknown): ApiException {
  try {
    pipe.transform(value);
  } catch (err) {
    assert.ok(err instanceof ApiException);
    return err;
  }
  assert.fail('expected an ApiException');
}

describe('ZodValidationPipe with the login body', () => {
  const pipe = new ZodValidationPipe(loginBody);

  test('passes a valid body on, without unknown fields', () => {
    assert.deepEqual(pipe.transform({ username: 'alice', password: 'alice123', remember: true }), {
      username: 'alice',
      password: 'alice123',
    });
  });

  test('names the first bad field in the code and the message, as a 400', () => {
    const err = rejectionOf(pipe, { username: 'alice', password: 7 });
    assert.equal(err.getStatus(), 400);
    assert.equal(err.code, 'INVALID_PASSWORD');
    assert.equal(err.message, 'password: must be a string');
  });

  test('anything but an object is INVALID_BODY', () => {
    for (const value of [undefined, null, 'alice', 42, [], [{ username: 'alice' }]]) {
      assert.equal(rejectionOf(pipe, value).code, 'INVALID_BODY', JSON.stringify(value));
    }
  });

  test('a strict schema reports unknown fields by name', () => {
    const strict = new ZodValidationPipe(z.strictObject({ a: z.string() }));
    const err = rejectionOf(strict, { a: 'x', b: 1, c: 2 });
    assert.equal(err.code, 'UNKNOWN_FIELD');
    assert.equal(err.message, 'Unknown field(s): b, c');
  });

  test('a nested field is named by its path', () => {
    const nested = new ZodValidationPipe(z.object({ profile: z.object({ name: z.string() }) }));
    const err = rejectionOf(nested, { profile: {} });
    assert.equal(err.code, 'INVALID_PROFILE_NAME');
    assert.match(err.message, /^profile\.name: /);
  });
});
