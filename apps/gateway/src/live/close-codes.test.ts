import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOSE, closeForDeletion } from './close-codes.js';

describe('close codes', () => {
  it("tells logout, revocation and eviction apart by the deleted event's reason", () => {
    assert.deepEqual(closeForDeletion('invalidated'), { code: 4002, reason: 'logged out' });
    assert.deepEqual(closeForDeletion('revoked'), { code: 4001, reason: 'session revoked' });
    assert.deepEqual(closeForDeletion('evicted'), { code: 4004, reason: 'session evicted' });
  });

  it('are distinct, in the ranges RFC 6455 allows, with reasons under 123 bytes', () => {
    const frames = Object.values(CLOSE);
    assert.equal(new Set(frames.map((f) => f.code)).size, frames.length);
    for (const { code, reason } of frames) {
      assert.ok((code >= 1000 && code <= 1014) || (code >= 4000 && code <= 4999), String(code));
      assert.ok(Buffer.byteLength(reason) <= 123);
    }
  });
});
