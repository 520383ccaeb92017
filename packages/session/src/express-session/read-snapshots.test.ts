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
    assert.equal(snapshots.readBy('sid', sessionA, new Map())?.get('n'), '1');
    assert.equal(snapshots.readBy('sid', sessionB, new Map())?.get('n'), '2');
  });
  it('for a session object it never saw, picks the read of that id that explains it with the fewest changes', () => {
    const snapshots = new ReadSnapshots();
    const before = new Map([['cookie', 'c']]);
    const afterOtherWrite = new Map([
      ['cookie', 'c'],
      ['a', '1'],
    ]);
    snapshots.remember('sid', {}, before);
    snapshots.remember('sid', {}, afterOtherWrite);
    // This request read `before` and added b: taking the newer read would delete a.
    const current = new Map([
      ['cookie', 'c'],
      ['b', '2'],
    ]);
    assert.equal(snapshots.readBy('sid', {}, current), before);
    assert.equal(snapshots.readBy('other', {}, current), undefined);
  });
  it('compares a second save of one request with what the first wrote, and forgets destroyed ids', () => {
    const snapshots = new ReadSnapshots();
    const [data, session] = [{}, {}];
    snapshots.remember('sid', data, new Map([['n', '1']]));
    snapshots.adopt(data, session);
    snapshots.saved(session, new Map([['n', '2']]));
    const none = new Map<string, string>();
    assert.equal(snapshots.readBy('sid', session, none)?.get('n'), '2');
    assert.equal(snapshots.readBy('sid', {}, none)?.get('n'), '1', 'the by-id read stays as read');
    snapshots.forget('sid');
    assert.equal(snapshots.readBy('sid', {}, none), undefined);
  });
});
