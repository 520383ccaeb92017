import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Session, SessionState } from './session.js';
import type { SessionStore } from './session-store.js';
import { newSessionToken } from './session-token.js';

/** set/get/remove never reach the store; a store that throws proves it. */
const unreachableStore = new Proxy({} as SessionStore, {
  get() {
    throw new Error('the store must not be called');
  },
});

function newSession(limits: { maxAttributeBytes?: number; maxSessionBytes?: number } = {}) {
  const state = new SessionState(newSessionToken(), null, 60_000, Date.now());
  const session = new Session(state, {
    store: unreachableStore,
    maxInactiveIntervalMs: 60_000,
    maxAttributeBytes: limits.maxAttributeBytes ?? 1024,
    maxSessionBytes: limits.maxSessionBytes ?? 4096,
    updateMaxAttempts: 3,
  });
  return { state, session };
}

describe('Session', () => {
  it('records set and remove as a delta without touching the store', () => {
    const { state, session } = newSession();
    session.set('cart', ['apple']);
    session.set('user', 'alice');
    session.remove('user');
    assert.deepEqual([...state.changed], ['cart']);
    assert.deepEqual([...state.removed], [], 'never stored, so nothing to delete');
    assert.equal(session.has('user'), false);
  });

  it('hands out frozen values so in-place mutation cannot be silently lost', () => {
    const { session } = newSession();
    session.set('cart', { lines: [{ sku: 'apple', qty: 1 }] });
    const cart = session.get<{ lines: { qty: number }[] }>('cart');
    assert.throws(() => {
      (cart as { lines: { qty: number }[] }).lines[0]!.qty = 5;
    }, TypeError);
  });

  it('rejects values JSON cannot hold', () => {
    const { session } = newSession();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [() => 1, Symbol('s'), 10n, cyclic]) {
      assert.throws(() => session.set('x', value), { code: 'SESSION_VALUE_INVALID' });
    }
  });

  it('enforces the per-attribute and per-session size limits', () => {
    const { session } = newSession({ maxAttributeBytes: 100, maxSessionBytes: 150 });
    assert.throws(() => session.set('big', 'x'.repeat(200)), {
      code: 'SESSION_ATTRIBUTE_TOO_LARGE',
    });
    session.set('a', 'x'.repeat(80));
    assert.throws(() => session.set('b', 'x'.repeat(80)), { code: 'SESSION_TOO_LARGE' });
    session.set('a', 'x'.repeat(10));
    session.set('b', 'x'.repeat(80));
    assert.equal(session.attributeNames().length, 2);
  });

  it('changeId gives a new public id; invalidate makes further writes an error', () => {
    const { session } = newSession();
    const before = session.id;
    session.changeId();
    assert.notEqual(session.id, before);
    session.invalidate();
    assert.throws(() => session.set('x', 1), { code: 'SESSION_GONE' });
  });

  it('setPrincipal is a change the delta carries (null clears it), and needs indexed mode', () => {
    const { session: plain } = newSession();
    assert.throws(() => plain.setPrincipal('alice'), { code: 'SESSION_OPTIONS_INVALID' });

    const state = new SessionState(newSessionToken(), null, 60_000, Date.now());
    const session = new Session(state, {
      store: unreachableStore,
      maxInactiveIntervalMs: 60_000,
      maxAttributeBytes: 1024,
      maxSessionBytes: 4096,
      updateMaxAttempts: 3,
      indexed: {},
    });
    assert.equal(state.hasChanges(), false);
    assert.equal(state.delta(true, Date.now()).principal, undefined, 'unchanged: absent');
    session.setPrincipal('alice');
    assert.equal(session.principal, 'alice');
    assert.equal(state.hasChanges(), true);
    assert.equal(state.delta(true, Date.now()).principal, 'alice');
    session.setPrincipal(undefined);
    assert.equal(state.delta(true, Date.now()).principal, null);
    assert.throws(() => session.setPrincipal(''), { code: 'SESSION_VALUE_INVALID' });
    assert.throws(() => session.setPrincipal('x'.repeat(513)), { code: 'SESSION_VALUE_INVALID' });
  });

  it('confirmDurable asks the store about the stored id, and is free when there is nothing to ask', async () => {
    // A session not stored yet: nothing to confirm, the store is never reached.
    await newSession().session.confirmDurable();

    const record = {
      id: 'stored-id',
      createdAt: 1,
      lastAccessedAt: 1,
      maxInactiveMs: 60_000,
      attributes: new Map(),
    };
    const context = {
      maxInactiveIntervalMs: 60_000,
      maxAttributeBytes: 1024,
      maxSessionBytes: 4096,
      updateMaxAttempts: 3,
    };
    const stored = () => new SessionState(newSessionToken(), record, 60_000, Date.now());
    // Without durable writes the store has no confirmDurable: resolves at once.
    await new Session(stored(), { ...context, store: {} as SessionStore }).confirmDurable();

    const asked: string[] = [];
    const durable = {
      confirmDurable: (id: string) => {
        asked.push(id);
        return Promise.resolve();
      },
    } as unknown as SessionStore;
    const session = new Session(stored(), { ...context, store: durable });
    session.changeId(); // not committed: the store still knows the session by its stored id
    await session.confirmDurable();
    assert.deepEqual(asked, ['stored-id']);
  });
});
