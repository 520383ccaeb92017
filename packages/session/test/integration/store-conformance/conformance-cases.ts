import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import session, { type SessionData, type Store } from 'express-session';
import { FINDINGS } from './findings.js';
import { asJson, call, sessionData, sleep, within } from './store-calls.js';
import type { StoreSubject } from './store-subject.js';

/**
 * This project's own conformance suite for express-session stores, written from the Store
 * contract in express-session's README (required: get/set/destroy; recommended: touch; optional:
 * all/length/clear) and from the behaviours express-session's and connect-redis' tests check. It
 * runs against BatonStore and, as controls, against express-session's MemoryStore and
 * connect-redis on the same Valkey. A case that fails on a peer is a finding in `findings.ts`,
 * and is asserted to keep failing there.
 */
export function describeStoreConformance(name: string, start: () => Promise<StoreSubject>): void {
  describe(`express-session Store contract: ${name}`, () => {
    let subject: StoreSubject;
    let store: Store;
    const tally = { passed: 0, findings: 0, notApplicable: 0 };
    before(async () => {
      subject = await start();
      store = subject.store;
    });
    after(async () => {
      console.log(
        `# conformance ${name}: ${tally.passed} passed, ${tally.findings} findings, ${tally.notApplicable} not applicable`,
      );
      await subject?.close();
    });

    /** One case: must pass, unless a finding says this store fails it (then it must fail). */
    function contract(title: string, body: () => Promise<void>, needs?: 'network'): void {
      it(title, async (t) => {
        if (needs === 'network' && !subject.outage) {
          tally.notApplicable++;
          t.skip('an in-process store has no connection to lose');
          return;
        }
        const finding = FINDINGS[title]?.[name];
        if (!finding) {
          await body();
          tally.passed++;
          return;
        }
        await assert.rejects(
          body,
          `documented finding no longer holds, update findings.ts: ${finding}`,
        );
        tally.findings++;
        t.diagnostic(`finding: ${finding}`);
      });
    }

    contract(
      'get of an unknown id yields no session and no error (ENOENT counts as a miss)',
      async () => {
        try {
          const found = await call(store, 'get', 'never-stored');
          assert.ok(found === null || found === undefined, `got ${JSON.stringify(found)}`);
        } catch (err) {
          assert.equal((err as { code?: string }).code, 'ENOENT');
        }
      },
    );

    contract(
      'set then get round-trips the session exactly, cookie and unknown keys included',
      async () => {
        const stored = sessionData(60_000, {
          user: { name: 'Zoë', roles: ['admin', 'ops'], quota: 12.5, active: true, manager: null },
          cart: [{ sku: 'apple', qty: 2 }],
          'key with : and {braces}': 'x',
          empty: {},
          zero: 0,
          text: 'line\nbreak "quoted" ✓',
        });
        await call(store, 'set', 'round-trip', stored);
        assert.deepEqual(asJson(await call(store, 'get', 'round-trip')), asJson(stored));
      },
    );

    contract('a later set replaces what an earlier set stored', async () => {
      await call(store, 'set', 'replace', sessionData(60_000, { a: 1, b: 2 }));
      await call(store, 'set', 'replace', sessionData(60_000, { a: 3 }));
      const found = asJson(await call(store, 'get', 'replace')) as Record<string, unknown>;
      assert.equal(found.a, 3);
      assert.ok(!('b' in found), 'a key the second set did not have survived');
    });

    contract('a key removed after get is gone after set, the others kept', async () => {
      await call(store, 'set', 'remove-key', sessionData(60_000, { keep: 'k', drop: 'd' }));
      const loaded = (await call(store, 'get', 'remove-key')) as Record<string, unknown>;
      delete loaded.drop;
      loaded.added = ['new'];
      await call(store, 'set', 'remove-key', loaded);
      const found = asJson(await call(store, 'get', 'remove-key')) as Record<string, unknown>;
      assert.deepEqual([found.keep, found.drop, found.added], ['k', undefined, ['new']]);
    });

    contract(
      'destroy removes the session; destroying it again or an unknown id is no error',
      async () => {
        await call(store, 'set', 'destroy-me', sessionData(60_000, { a: 1 }));
        await call(store, 'destroy', 'destroy-me');
        assert.equal(await call(store, 'get', 'destroy-me').then((s) => s ?? null), null);
        await call(store, 'destroy', 'destroy-me');
        await call(store, 'destroy', 'never-stored');
      },
    );

    contract('touch keeps the session alive without rewriting its data', async () => {
      await call(store, 'set', 'touch-me', sessionData(1_000, { marker: 'stored' }));
      await call(store, 'touch', 'touch-me', sessionData(5_000, { marker: 'not written' }));
      await sleep(1_300);
      const found = (await call(store, 'get', 'touch-me')) as Record<string, unknown> | null;
      assert.ok(found, 'the touched session expired at its old expiry');
      assert.equal(found.marker, 'stored');
    });

    // 1.1 s, checked at 1.4 s: a store that rounds up to whole seconds still holds it (until 2 s),
    // and a slow machine has room on both sides.
    contract(
      'an expiry of 1.1 s ends the session at 1.1 s, not at a whole second (ms precision)',
      async () => {
        await call(store, 'set', 'short-lived', sessionData(1_100, { a: 1 }));
        assert.ok(await call(store, 'get', 'short-lived'), 'gone before its expiry');
        await sleep(1_400);
        assert.equal(await call(store, 'get', 'short-lived').then((s) => s ?? null), null);
      },
    );

    contract('an expiry in the past deletes the session', async () => {
      await call(store, 'set', 'past', sessionData(60_000, { a: 1 }));
      await call(store, 'set', 'past', sessionData(-1_000, { a: 2 }));
      assert.equal(await call(store, 'get', 'past').then((s) => s ?? null), null);
    });

    /** Three fresh sessions in an empty store. */
    async function threeSessions(): Promise<string[]> {
      await call(store, 'clear');
      const sids = ['list-1', 'list-2', 'list-3'];
      for (const sid of sids) await call(store, 'set', sid, sessionData(60_000, { owner: sid }));
      return sids;
    }

    contract('all() yields the sessions as an array, each with its id', async () => {
      const sids = await threeSessions();
      const all = await call<(SessionData & { id: string; owner: string })[]>(store, 'all');
      assert.ok(Array.isArray(all), `all() gave ${typeof all}`);
      assert.deepEqual(
        all.map((s) => s.id).sort(),
        sids.map((sid) => subject.listedIdOf(sid)).sort(),
      );
      assert.deepEqual(all.map((s) => s.owner).sort(), sids);
    });

    contract('length() counts the sessions', async () => {
      await threeSessions();
      assert.equal(await call(store, 'length'), 3);
    });

    contract('ids() lists the id of every session', async () => {
      const sids = await threeSessions();
      const ids = await call<string[]>(store, 'ids');
      assert.deepEqual([...ids].sort(), sids.map((sid) => subject.listedIdOf(sid)).sort());
    });

    contract('clear() removes every session', async () => {
      await threeSessions();
      await call(store, 'clear');
      assert.equal(await call(store, 'length'), 0);
      assert.equal(await call(store, 'get', 'list-1').then((s) => s ?? null), null);
    });

    contract(
      'express-session calls set once for a request that changes the session, never for a read',
      async () => {
        const counts = { set: 0, touch: 0 };
        const app = express();
        app.use(
          session({
            store: counting(store, counts),
            secret: 'conformance-secret',
            resave: false,
            saveUninitialized: false,
            cookie: { maxAge: 60_000 },
          }),
        );
        app.post('/count', (req, res) => {
          const s = req.session as unknown as { n?: number };
          s.n = (s.n ?? 0) + 1;
          res.json({ n: s.n });
        });
        app.get('/count', (req, res) => {
          res.json({ n: (req.session as unknown as { n?: number }).n ?? 0 });
        });
        const server = app.listen(0, '127.0.0.1');
        await new Promise((r) => server.once('listening', r));
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
          const first = await fetch(`${base}/count`, { method: 'POST' });
          const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string;
          assert.equal(counts.set, 1, 'the request that created the session');
          await fetch(`${base}/count`, { headers: { cookie } }).then((r) => r.json());
          assert.equal(counts.set, 1, 'a request that only reads must not save');
          const second = await fetch(`${base}/count`, { method: 'POST', headers: { cookie } });
          assert.deepEqual(await second.json(), { n: 2 });
          assert.equal(counts.set, 2);
          const read = await fetch(`${base}/count`, { headers: { cookie } });
          assert.deepEqual(await read.json(), { n: 2 });
        } finally {
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
        }
      },
    );

    contract(
      'emits disconnect and then connect when Valkey drops its connections',
      async () => {
        const events: string[] = [];
        const onDisconnect = () => events.push('disconnect');
        const onConnect = () => events.push('connect');
        store.on('disconnect', onDisconnect).on('connect', onConnect);
        try {
          await subject.dropConnections?.();
          for (let i = 0; i < 50 && events.length < 2; i++) await sleep(100);
          assert.deepEqual(events, ['disconnect', 'connect']);
        } finally {
          store.off('disconnect', onDisconnect).off('connect', onConnect);
        }
      },
      'network',
    );

    contract(
      'a call fails within 3 s while Valkey does not answer, never hangs',
      async () => {
        await subject.outage?.begin();
        try {
          const outcome = await within(
            call(store, 'get', 'during-outage').then(
              () => 'answered',
              () => 'failed',
            ),
            3_000,
          );
          assert.equal(
            outcome,
            'failed',
            `the call ${outcome === 'timeout' ? 'was still waiting after 3 s' : 'answered'}`,
          );
        } finally {
          await subject.outage?.end();
        }
      },
      'network',
    );
  });
}

/** The store with its set/touch calls counted, everything else untouched. */
function counting(store: Store, counts: { set: number; touch: number }): Store {
  const wrapped = Object.create(store) as Store & Record<string, unknown>;
  wrapped.set = (...args: Parameters<Store['set']>) => {
    counts.set++;
    return store.set(...args);
  };
  if (store.touch) {
    wrapped.touch = (...args: Parameters<NonNullable<Store['touch']>>) => {
      counts.touch++;
      return store.touch?.(...args);
    };
  }
  return wrapped;
}
