import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValkeyProcess } from '@baton/valkey-testing';
import {
  type RunningAccount,
  login,
  readAttribute,
  seedSession,
  sessionKey,
  startAccount,
} from '../../test/harness.js';
import { PasswordHash } from '../users/password-hash.js';

const ALICE = { username: 'alice', displayName: 'Alice Liddell' };

describe('account routes', () => {
  let valkey: ValkeyProcess;
  let account: RunningAccount;
  let namespace: string;

  before(async () => {
    valkey = await ValkeyProcess.start();
    account = await startAccount(valkey.url);
    namespace = account.config.SESSION_NAMESPACE;
  });

  after(async () => {
    await account?.close();
    await valkey?.dispose();
  });

  test('login as alice answers the user and a token that `me` accepts', async () => {
    const { res, token, body } = await login(account);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(token ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual((body as { user: object }).user, {
      ...ALICE,
      loggedInAt: (body as { user: { loggedInAt: string } }).user.loggedInAt,
    });
    assert.ok(
      !Number.isNaN(Date.parse((body as { user: { loggedInAt: string } }).user.loggedInAt)),
    );

    const me = await account.request('/api/account/me', { token: token as string });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), body);
  });

  test('login renames the session: the token sent before no longer authenticates', async () => {
    // An attacker's planted token: a real, stored session the victim is made to use.
    const planted = await seedSession(account.valkey, namespace, { theme: 'dark' });
    const { res, token } = await login(account, undefined, planted);
    assert.equal(res.status, 200);
    assert.ok(token);
    assert.notEqual(token, planted);

    assert.equal((await account.request('/api/account/me', { token: planted })).status, 401);
    assert.equal(await account.valkey.exists(sessionKey(namespace, planted)), 0);
    const victim = await account.request('/api/account/me', { token });
    assert.equal(((await victim.json()) as { user: { username: string } }).user.username, 'alice');
  });

  test('login keeps the anonymous cart written by another service', async () => {
    const cart = [
      { sku: 'apple', qty: 2 },
      { sku: 'pear', qty: 1 },
    ];
    const anonymous = await seedSession(account.valkey, namespace, { cart });
    const { token } = await login(account, undefined, anonymous);
    assert.ok(token && token !== anonymous);
    assert.deepEqual(await readAttribute(account.valkey, namespace, token, 'cart'), cart);
  });

  test('wrong password and unknown user get the same 401, and create no session', async () => {
    // Failed logins do write their throttle counters; what must not appear is a session key.
    const sessions = () => account.valkey.keys(`${namespace}:sessions:*`);
    const before = (await sessions()).length;
    const wrong = await login(account, { username: 'alice', password: 'alice124' });
    const unknown = await login(account, { username: 'mallory', password: 'alice123' });
    for (const { res, token } of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.equal(token, null);
    }
    assert.deepEqual(wrong.body, {
      error: { code: 'INVALID_CREDENTIALS', message: 'Wrong username or password' },
    });
    assert.deepEqual(unknown.body, wrong.body);
    assert.equal((await sessions()).length, before);
  });

  test('a failed login leaves an existing login untouched', async () => {
    const { token } = await login(account);
    const failed = await login(account, { username: 'bob', password: 'nope' }, token as string);
    assert.equal(failed.res.status, 401);
    const me = await account.request('/api/account/me', { token: token as string });
    assert.equal(((await me.json()) as { user: { username: string } }).user.username, 'alice');
  });

  test('me without a session, or with an unknown token, is 401 UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'x'.repeat(43), 'garbage']) {
      const res = await account.request('/api/account/me', token ? { token } : {});
      assert.equal(res.status, 401);
      assert.equal(
        ((await res.json()) as { error: { code: string } }).error.code,
        'UNAUTHENTICATED',
      );
      assert.equal(res.headers.get('x-auth-token'), null, 'a 401 must not hand out a session');
    }
  });

  test('logout deletes the session in Valkey and empties X-Auth-Token', async () => {
    const { token } = await login(account);
    assert.ok(token);
    assert.equal(await account.valkey.exists(sessionKey(namespace, token)), 1);

    const res = await account.request('/api/account/logout', { method: 'POST', token });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('x-auth-token'), '');
    assert.equal(await account.valkey.exists(sessionKey(namespace, token)), 0);
    assert.equal((await account.request('/api/account/me', { token })).status, 401);
  });

  test('logout without a session is a 204 that creates nothing', async () => {
    const before = await account.valkey.dbsize();
    const res = await account.request('/api/account/logout', { method: 'POST' });
    assert.equal(res.status, 204);
    assert.equal(await account.valkey.dbsize(), before);
  });

  test('logging in as bob over alice switches user, renames, and drops her data', async () => {
    const { token: alice } = await login(account);
    assert.ok(alice);
    await seedSession(account.valkey, namespace, { cart: [{ sku: 'apple', qty: 1 }] }, alice);
    const { res, token: bob } = await login(
      account,
      { username: 'bob', password: 'bob123' },
      alice,
    );
    assert.equal(res.status, 200);
    assert.ok(bob && bob !== alice);
    const me = await account.request('/api/account/me', { token: bob });
    assert.equal(((await me.json()) as { user: { username: string } }).user.username, 'bob');
    assert.equal(await readAttribute(account.valkey, namespace, bob, 'cart'), undefined);
    assert.equal((await account.request('/api/account/me', { token: alice })).status, 401);
  });

  test('logging in again as the same user keeps the data and still renames', async () => {
    const { token: first } = await login(account);
    assert.ok(first);
    await seedSession(account.valkey, namespace, { cart: [{ sku: 'kiwi', qty: 3 }] }, first);
    const { token: second } = await login(account, undefined, first);
    assert.ok(second && second !== first);
    assert.deepEqual(await readAttribute(account.valkey, namespace, second, 'cart'), [
      { sku: 'kiwi', qty: 3 },
    ]);
  });
});

describe('two replicas on one Valkey', () => {
  let valkey: ValkeyProcess;
  let one: RunningAccount;
  let two: RunningAccount;

  before(async () => {
    valkey = await ValkeyProcess.start();
    one = await startAccount(valkey.url, {
      INSTANCE_ID: 'account-1',
      SESSION_NAMESPACE: 'myplatform:sessions',
    });
    two = await startAccount(valkey.url, {
      INSTANCE_ID: 'account-2',
      SESSION_NAMESPACE: 'myplatform:sessions',
    });
  });

  after(async () => {
    await one?.close();
    await two?.close();
    await valkey?.dispose();
  });

  test('login on account-1, me and logout on account-2', async () => {
    const { res, token } = await login(one);
    assert.equal(res.headers.get('x-served-by'), 'account-1');
    assert.ok(token);

    const me = await two.request('/api/account/me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.headers.get('x-served-by'), 'account-2');
    assert.equal(((await me.json()) as { user: { username: string } }).user.username, 'alice');

    assert.equal((await two.request('/api/account/logout', { method: 'POST', token })).status, 204);
    assert.equal((await one.request('/api/account/me', { token })).status, 401);
  });
});

describe('DEMO_USERS', () => {
  let valkey: ValkeyProcess;
  let account: RunningAccount;

  before(async () => {
    valkey = await ValkeyProcess.start();
    const passwordHash = (await PasswordHash.create('carol-secret')).toString();
    account = await startAccount(valkey.url, {
      DEMO_USERS: JSON.stringify([{ username: 'carol', displayName: 'Carol', passwordHash }]),
    });
  });

  after(async () => {
    await account?.close();
    await valkey?.dispose();
  });

  test('replaces the demo users', async () => {
    const carol = await login(account, { username: 'carol', password: 'carol-secret' });
    assert.equal(carol.res.status, 200);
    assert.equal((carol.body as { user: { displayName: string } }).user.displayName, 'Carol');
    const alice = await login(account);
    assert.equal(alice.res.status, 401);
  });
});
