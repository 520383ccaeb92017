import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyLayout } from './key-layout.js';

/** What Valkey Cluster hashes: the first `{…}` with something inside, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('KeyLayout', () => {
  it('tags a session key with its id, so each session has its own slot', () => {
    const keys = new KeyLayout('myplatform:sessions');
    assert.equal(keys.sessionKey('abc'), 'myplatform:sessions:sessions:{abc}');
    assert.equal(hashTag(keys.sessionKey('abc')), 'abc');
    assert.equal(keys.idOfSessionKey(keys.sessionKey('abc')), 'abc');
  });

  it('keeps the index keys untagged on one server', () => {
    const keys = new KeyLayout('ns');
    assert.equal(keys.expirationsKey, 'ns:expirations');
    assert.equal(keys.principalIndexKey('alice'), 'ns:principals:alice');
  });

  it('puts every index key in one slot on a Cluster, whatever the principal', () => {
    const keys = new KeyLayout('ns', { cluster: true });
    const indexKeys = [
      keys.expirationsKey,
      keys.sessionPrincipalsKey,
      keys.eventsKey,
      keys.principalIndexKey('alice'),
      keys.principalIndexKey('{bob}'),
    ];
    assert.deepEqual(new Set(indexKeys.map(hashTag)), new Set(['index']));
    assert.equal(keys.principalIndexKey('alice'), keys.principalIndexPrefix + 'alice');
    assert.equal(hashTag(keys.sessionKey('abc')), 'abc', 'sessions keep their own tag');
  });
});
