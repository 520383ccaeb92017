import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadSnapshots } from './read-snapshots.js';

describe('ReadSnapshots', () => {
  it("follows the object the host built from get's data, request by request", () => {
    const snapshots = new ReadSnapshots();
    const [dataA, dataB, sessionA, sessionB] = [{}, {}, {}, {}];
    snapshots.remember('sid', dataA, new Map([['n', '1']]));
    snapshots.remember('sid', dataB, new Map([['n', '2']]));
    snapshots.adopt(dataA, sessionA);
    snapshots.adopt(dataB, sessionB);
    assert.equal(snapshots.readBy('sid', sessionA)?.get('n'), '1');
    assert.equal(snapshots.readBy('sid', sessionB)?.get('n'), '2');
  });
  it('falls back to the latest read of the id for a session object it never saw', () => {
    const snapshots = new ReadSnapshots();
    snapshots.remember('sid', {}, new Map([['n', '1']]));
    assert.equal(snapshots.readBy('sid', {})?.get('n'), '1');
    assert.equal(snapshots.readBy('other', {}), undefined);
  });
  it('compares a second save of one request with what the first wrote, and forgets destroyed ids', () => {
    const snapshots = new ReadSnapshots();
    const [data, session] = [{}, {}];
    snapshots.remember('sid', data, new Map([['n', '1']]));
    snapshots.adopt(data, session);
    snapshots.saved(session, new Map([['n', '2']]));
    assert.equal(snapshots.readBy('sid', session)?.get('n'), '2');
    assert.equal(snapshots.readBy('sid', {})?.get('n'), '1', 'the by-id read stays as read');
    snapshots.forget('sid');
    assert.equal(snapshots.readBy('sid', {}), undefined);
  });
});
