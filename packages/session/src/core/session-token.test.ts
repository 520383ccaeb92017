import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isWellFormedToken, newSessionToken, sessionIdOf } from './session-token.js';

describe('session tokens', () => {
  it('are 256 random bits in base64url and never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newSessionToken));
    assert.equal(tokens.size, 1000);
    for (const token of tokens) {
      assert.ok(isWellFormedToken(token));
      assert.equal(Buffer.from(token, 'base64url').length, 32);
    }
  });

  it('refuse anything that is not exactly 43 base64url characters', () => {
    const good = newSessionToken();
    for (const bad of [
      '',
      good.slice(1),
      good + 'A',
      good.replace(/.$/, '+'),
      `${good.slice(0, 42)}=`,
      ' '.repeat(43),
    ]) {
      assert.equal(isWellFormedToken(bad), false, JSON.stringify(bad));
    }
  });

  it('are stored only as their SHA-256, which does not reveal them', () => {
    const token = newSessionToken();
    const id = sessionIdOf(token);
    assert.equal(id, sessionIdOf(token));
    assert.notEqual(id, token);
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
  });
});
