import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SCRYPT_PARAMS, PasswordHash } from './password-hash.js';

describe('PasswordHash', () => {
  test('a created hash matches its password only, and survives its text form', async () => {
    const hash = await PasswordHash.create('correct horse');
    const text = hash.toString();
    assert.match(text, /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    const parsed = PasswordHash.parse(text);
    assert.equal(await parsed.matches('correct horse'), true);
    assert.equal(await parsed.matches('correct horsf'), false);
    assert.equal(await parsed.matches(''), false);
  });

  test('two hashes of one password differ (a salt per hash)', async () => {
    const [a, b] = await Promise.all([PasswordHash.create('same'), PasswordHash.create('same')]);
    assert.notEqual(a.toString(), b.toString());
  });

  test('keeps the cost it was made with', async () => {
    const cheap = await PasswordHash.create('pw', { N: 1024, r: 8, p: 1 });
    const parsed = PasswordHash.parse(cheap.toString());
    assert.deepEqual(parsed.params, { N: 1024, r: 8, p: 1 });
    assert.equal(await parsed.matches('pw'), true);
  });

  test('an unmatchable hash matches nothing', async () => {
    const hash = PasswordHash.unmatchable(DEFAULT_SCRYPT_PARAMS);
    assert.equal(await hash.matches(''), false);
    assert.equal(await hash.matches('alice123'), false);
  });

  test('parse refuses anything but scrypt$N$r$p$salt$hash within bounds', () => {
    const salt = Buffer.alloc(16, 1).toString('base64url');
    const key = Buffer.alloc(32, 2).toString('base64url');
    const bad: [string, RegExp][] = [
      ['', /scrypt\$N\$r\$p\$salt\$hash/],
      ['alice123', /scrypt\$N\$r\$p\$salt\$hash/],
      [`bcrypt$16384$8$1$${salt}$${key}`, /scrypt\$N/],
      [`scrypt$16384$8$1$${salt}`, /scrypt\$N/],
      [`scrypt$1000$8$1$${salt}$${key}`, /N must be a power of two/],
      [`scrypt$2097152$8$1$${salt}$${key}`, /N must be a power of two/],
      [`scrypt$16384$0$1$${salt}$${key}`, /r must be/],
      [`scrypt$16384$8$99$${salt}$${key}`, /p must be/],
      [`scrypt$1048576$32$1$${salt}$${key}`, /256 MiB/],
      [`scrypt$16384$8$1$${salt}$not+base64`, /base64url/],
      [`scrypt$16384$8$1$c2FsdA$${key}`, /salt must be at least 16 bytes/],
      [`scrypt$16384$8$1$${salt}$c2hvcnQ`, /hash must be 16-64 bytes/],
    ];
    for (const [text, message] of bad) {
      assert.throws(() => PasswordHash.parse(text), message, text);
    }
  });
});
