import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SessionManager, sessionIdOf } from '@baton/session';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type RunningAccount, freshNamespace, startAccount } from '../../test/harness.js';
import type { SessionView } from './session-view.js';

const ALICE = { username: 'alice', password: 'alice123' };
const BOB = { username: 'bob', password: 'bob123' };
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/140.0.0.0 Safari/537.36';

/** Logs in through a replica the way the gateway forwards a browser's request; returns the token. */
async function loginAs(
  account: RunningAccount,
  credentials: { username: string; password: string },
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await fetch(`${account.base}/api/account/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(credentials),
  });
  assert.equal(res.status, 200);
  const token = res.headers.get('x-auth-token');
  assert.ok(token);
  return token;
}

async function listOf(account: RunningAccount, token: string): Promise<SessionView[]> {
  const res = await account.request('/api/account/sessions', { token });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return ((await res.json()) as { sessions: SessionView[] }).sessions;
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

const revoke = (account: RunningAccount, token: string, id: string) =>
  account.request(`/api/account/sessions/${id}`, { method: 'DELETE', token });

describe('your sessions (two replicas on one Valkey)', () => {
  let valkey: ValkeyProcess;
  let one: RunningAccount;
  let two: RunningAccount;

  before(async () => {
    valkey = await ValkeyProcess.start();
    const SESSION_NAMESPACE = freshNamespace();
    one = await startAccount(valkey.url, { INSTANCE_ID: 'account-1', SESSION_NAMESPACE });
    two = await startAccount(valkey.url, { INSTANCE_ID: 'account-2', SESSION_NAMESPACE });
  });

  after(async () => {
    await one?.close();
    await two?.close();
    await valkey?.dispose();
  });

  test("lists both of alice's sessions, most recently active first, exactly one current", async () => {
    const laptop = await loginAs(one, ALICE, {
      'user-agent': FIREFOX,
      'x-forwarded-for': '203.0.113.7, 127.0.0.1, 127.0.0.1',
    });
    const phone = await loginAs(two, ALICE, {
      'user-agent': CHROME,
      'x-forwarded-for': '198.51.100.20, 127.0.0.1',
    });
    const bob = await loginAs(one, BOB);

    const res = await one.request('/api/account/sessions', { token: phone });
    const text = await res.text();
    for (const token of [laptop, phone, bob]) assert.ok(!text.includes(token), 'never a token');
    const { sessions } = JSON.parse(text) as { sessions: SessionView[] };
    assert.equal(sessions.length, 2);
    assert.deepEqual(
      sessions.map((s) => s.id),
      [sessionIdOf(phone), sessionIdOf(laptop)],
    );
    assert.deepEqual(
      sessions.map((s) => s.current),
      [true, false],
    );
    const [current, other] = sessions as [SessionView, SessionView];
    assert.deepEqual(
      [current.userAgent, current.ip, other.userAgent, other.ip],
      [CHROME, '198.51.100.20', FIREFOX, '203.0.113.7'],
    );
    for (const s of sessions) {
      assert.deepEqual(Object.keys(s).sort(), [
        'createdAt',
        'current',
        'expiresAt',
        'id',
        'ip',
        'lastAccessedAt',
        'userAgent',
      ]);
      assert.ok(Date.parse(s.createdAt) <= Date.parse(s.lastAccessedAt));
      assert.ok(Date.parse(s.lastAccessedAt) < Date.parse(s.expiresAt));
    }
    // The other replica sees the same list; from the laptop, the laptop is the current one.
    const fromLaptop = await listOf(two, laptop);
    assert.deepEqual(
      fromLaptop.filter((s) => s.current).map((s) => s.id),
      [sessionIdOf(laptop)],
    );
  });

  test('DELETE /api/account/sessions/:id signs that session out: its token gets 401', async () => {
    const first = await loginAs(one, ALICE);
    const second = await loginAs(two, ALICE);
    const res = await revoke(one, second, sessionIdOf(first));
    assert.equal(res.status, 204);
    assert.equal((await two.request('/api/account/me', { token: first })).status, 401);
    assert.equal((await one.request('/api/account/me', { token: second })).status, 200);
    const ids = (await listOf(two, second)).map((s) => s.id);
    assert.ok(!ids.includes(sessionIdOf(first)));
    assert.ok(ids.includes(sessionIdOf(second)));
    // Twice is 404: it no longer exists.
    const again = await revoke(two, second, sessionIdOf(first));
    assert.equal(again.status, 404);
    assert.equal(await errorCode(again), 'SESSION_NOT_FOUND');
  });

  test('revoke-others leaves only the current session', async () => {
    const a = await loginAs(one, BOB);
    const b = await loginAs(two, BOB);
    const c = await loginAs(one, BOB);
    const before = (await listOf(two, c)).length;
    assert.ok(before >= 3);
    const res = await two.request('/api/account/sessions/revoke-others', {
      method: 'POST',
      token: c,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { revoked: before - 1 });
    const sessions = await listOf(one, c);
    assert.deepEqual(
      sessions.map((s) => [s.id, s.current]),
      [[sessionIdOf(c), true]],
    );
    for (const token of [a, b]) {
      assert.equal((await one.request('/api/account/me', { token })).status, 401);
    }
    const none = await one.request('/api/account/sessions/revoke-others', {
      method: 'POST',
      token: c,
    });
    assert.deepEqual(await none.json(), { revoked: 0 });
  });

  test("bob can neither see nor revoke alice's sessions: 404, and hers lives on", async () => {
    const alice = await loginAs(one, ALICE);
    const bob = await loginAs(two, BOB);
    assert.ok(!(await listOf(one, bob)).some((s) => s.id === sessionIdOf(alice)));
    for (const id of [sessionIdOf(alice), sessionIdOf('never-issued')]) {
      const res = await revoke(one, bob, id);
      assert.equal(res.status, 404);
      assert.equal(await errorCode(res), 'SESSION_NOT_FOUND');
    }
    assert.equal((await two.request('/api/account/me', { token: alice })).status, 200);
  });

  test('a malformed id is 400 INVALID_SESSION_ID', async () => {
    const alice = await loginAs(one, ALICE);
    for (const id of ['abc', 'A'.repeat(44), `${'A'.repeat(42)}%21`, `${'A'.repeat(42)}.`]) {
      const res = await revoke(one, alice, id);
      assert.equal(res.status, 400, id);
      assert.equal(await errorCode(res), 'INVALID_SESSION_ID');
    }
  });

  test('without a login every route is 401 UNAUTHENTICATED and creates no session', async () => {
    const before = await one.valkey.dbsize();
    const anonymous = [
      one.request('/api/account/sessions'),
      one.request(`/api/account/sessions/${'A'.repeat(43)}`, { method: 'DELETE' }),
      one.request('/api/account/sessions/revoke-others', { method: 'POST' }),
      one.request('/api/account/sessions', { token: 'B'.repeat(43) }),
    ];
    for (const res of await Promise.all(anonymous)) {
      assert.equal(res.status, 401);
      assert.equal(await errorCode(res), 'UNAUTHENTICATED');
      assert.equal(res.headers.get('x-auth-token'), null);
    }
    assert.equal(await one.valkey.dbsize(), before);
  });

  test('revoking the current session is a logout: 204 and the token ended', async () => {
    const alice = await loginAs(one, ALICE);
    const res = await revoke(two, alice, sessionIdOf(alice));
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('x-auth-token'), '');
    assert.equal((await one.request('/api/account/me', { token: alice })).status, 401);
  });

  test("logging in as bob over alice moves the session from alice's list to bob's", async () => {
    const alice = await loginAs(one, ALICE);
    const keep = await loginAs(one, ALICE);
    const res = await fetch(`${two.base}/api/account/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': alice },
      body: JSON.stringify(BOB),
    });
    const bob = res.headers.get('x-auth-token');
    assert.ok(bob);
    assert.ok(!(await listOf(one, keep)).some((s) => [alice, bob].map(sessionIdOf).includes(s.id)));
    assert.ok((await listOf(two, bob)).some((s) => s.id === sessionIdOf(bob) && s.current));
  });
});

describe('MAX_SESSIONS_PER_USER', () => {
  let valkey: ValkeyProcess;
  let one: RunningAccount;
  let two: RunningAccount;

  before(async () => {
    valkey = await ValkeyProcess.start();
    const env = { SESSION_NAMESPACE: freshNamespace(), MAX_SESSIONS_PER_USER: '2' };
    one = await startAccount(valkey.url, { ...env, INSTANCE_ID: 'account-1' });
    two = await startAccount(valkey.url, { ...env, INSTANCE_ID: 'account-2' });
  });

  after(async () => {
    await one?.close();
    await two?.close();
    await valkey?.dispose();
  });

  test('=2: a third login signs out the least recently used session, two stay alive', async () => {
    const first = await loginAs(one, ALICE);
    const second = await loginAs(two, ALICE);
    // The first is used again: now the second is the least recently used.
    assert.equal((await one.request('/api/account/me', { token: first })).status, 200);
    const third = await loginAs(one, ALICE);
    const alive = await Promise.all(
      [first, second, third].map(
        async (token) => (await two.request('/api/account/me', { token })).status,
      ),
    );
    assert.deepEqual(alive, [200, 401, 200]);
    assert.deepEqual(
      (await listOf(two, third)).map((s) => s.id).sort(),
      [sessionIdOf(first), sessionIdOf(third)].sort(),
    );
  });
});

describe('shutdown in indexed mode', () => {
  let valkey: ValkeyProcess;

  before(async () => {
    valkey = await ValkeyProcess.start();
  });

  after(async () => {
    await valkey?.dispose();
  });

  test("app.close() stops indexed mode's background connections (manager.close())", async () => {
    const account = await startAccount(valkey.url);
    try {
      await account.app.get(SessionManager).ready();
      const names = async () =>
        String(await account.valkey.call('CLIENT', 'LIST'))
          .split('\n')
          .map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? '')
          .filter((name) => name.endsWith(':expirations'));
      assert.equal((await names()).length, 1, 'the expiry subscriber runs while the app is up');
      await account.app.close();
      const deadline = Date.now() + 2_000;
      while ((await names()).length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(await names(), []);
    } finally {
      await account.close();
    }
  });
});
