import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ttlOf } from './expiry.js';

describe('ttlOf', () => {
  const now = 1_800_000_000_000;
  it('counts to cookie.expires at ms precision, as a Date or as the JSON string of one', () => {
    assert.equal(ttlOf({ cookie: { expires: new Date(now + 1_234) } }, now, 99), 1_234);
    assert.equal(ttlOf({ cookie: { expires: new Date(now + 5).toISOString() } }, now, 99), 5);
  });
  it('is zero or less for an expiry in the past', () => {
    assert.ok(ttlOf({ cookie: { expires: new Date(now - 1) } }, now, 99) <= 0);
  });
  it('falls back to maxAge, then to the default for a browser-session cookie', () => {
    assert.equal(ttlOf({ cookie: { maxAge: 700 } }, now, 99), 700);
    assert.equal(ttlOf({ cookie: { expires: null, maxAge: null } }, now, 99), 99);
    assert.equal(ttlOf({}, now, 99), 99);
  });
});
