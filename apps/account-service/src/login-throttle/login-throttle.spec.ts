import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type RunningAccount, startAccount } from '../../test/harness.js';

const ALICE = { username: 'alice', password: 'alice123' };
const WRONG = { username: 'alice', password: 'not-her-password' };

interface Attempt {
  status: number;
  retryAfter: string | null;
  body: { error?: { code: string; message: string } };
}

/** A login from the address `ip` (the edge's X-Forwarded-For, as the internal hops pass it on). */
async function attempt(
  account: RunningAccount,
  credentials: { username: string; password: string },
  ip = '203.0.113.1',
): Promise<Attempt> {
  const res = await fetch(`${account.base}/api/account/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(credentials),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Attempt['body'],
  };
}

describe('login throttle (counters in a real Valkey)', () => {
  let valkey: ValkeyProcess;
  before(async () => {
    valkey = await ValkeyProcess.start();
  });
  after(async () => {
    await valkey?.dispose();
  });

  describe('per username (LOGIN_MAX_FAILURES_PER_USER=5, the default)', () => {
    let one: RunningAccount;
    let two: RunningAccount;
    before(async () => {
      one = await startAccount(valkey.url);
      // Same namespace: a second replica shares the counters.
      two = await startAccount(valkey.url, {
        INSTANCE_ID: 'account-2',
        SESSION_NAMESPACE: one.config.SESSION_NAMESPACE,
      });
    });
    after(async () => {
      await one?.close();
      await two?.close();
    });

    test('five failures across two replicas are 401; the sixth is 429 with Retry-After, even with the right password', async () => {
      for (let i = 0; i < 5; i++) {
        const failed = await attempt(i % 2 ? two : one, WRONG, `198.51.100.${i}`);
        assert.equal(failed.status, 401, `attempt ${i + 1}`);
      }
      for (const credentials of [WRONG, ALICE]) {
        const refused = await attempt(one, credentials, '198.51.100.99');
        assert.equal(refused.status, 429);
        assert.equal(refused.body.error?.code, 'TOO_MANY_LOGIN_ATTEMPTS');
        const seconds = Number(refused.retryAfter);
        assert.ok(
          Number.isInteger(seconds) && seconds >= 1 && seconds <= 900,
          refused.retryAfter ?? '',
        );
        assert.match(refused.body.error?.message ?? '', new RegExp(`${seconds} s`));
      }
      // Another user is not locked out by alice's failures.
      assert.equal((await attempt(two, { username: 'bob', password: 'bob123' })).status, 200);
    });

    test('the counter lives in Valkey under the namespace, with the window as its TTL', async () => {
      const key = `${one.config.SESSION_NAMESPACE}:login-throttle:user:alice`;
      // 5 failures and the 2 refused attempts: every attempt counts, refused ones too.
      assert.equal(await one.valkey.get(key), '7');
      const ttl = await one.valkey.pttl(key);
      assert.ok(ttl > 0 && ttl <= 900_000, `pttl ${ttl}`);
    });

    test('an unknown username is counted and refused the same way: the 429 tells nothing', async () => {
      const ghost = { username: 'nobody-here', password: 'x' };
      for (let i = 0; i < 5; i++) assert.equal((await attempt(one, ghost)).status, 401);
      const refused = await attempt(one, ghost);
      const known = await attempt(one, WRONG);
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error?.code, known.body.error?.code);
      assert.equal(
        refused.body.error?.message.replace(/\d+ s$/, ''),
        known.body.error?.message.replace(/\d+ s$/, ''),
      );
    });

    test('a success resets the username: four failures, a login, then five more failures are all 401', async () => {
      const carol = await startAccount(valkey.url);
      try {
        for (let i = 0; i < 4; i++) assert.equal((await attempt(carol, WRONG)).status, 401);
        assert.equal((await attempt(carol, ALICE)).status, 200);
        for (let i = 0; i < 5; i++) assert.equal((await attempt(carol, WRONG)).status, 401);
        assert.equal((await attempt(carol, WRONG)).status, 429);
      } finally {
        await carol.close();
      }
    });

    test('twenty parallel guesses: exactly five are checked, fifteen are 429 (no race)', async () => {
      const burst = await startAccount(valkey.url);
      try {
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => attempt(burst, { username: 'bob', password: 'guess' })),
        );
        const statuses = answers.map((a) => a.status).sort();
        assert.deepEqual(statuses, [...Array(5).fill(401), ...Array(15).fill(429)]);
      } finally {
        await burst.close();
      }
    });
  });

  describe('per address (LOGIN_MAX_FAILURES_PER_IP=3)', () => {
    let account: RunningAccount;
    before(async () => {
      account = await startAccount(valkey.url, { LOGIN_MAX_FAILURES_PER_IP: '3' });
    });
    after(async () => {
      await account?.close();
    });

    test('the fourth failure from one address is 429 whatever the username; other addresses pass', async () => {
      const ip = '192.0.2.7';
      for (const username of ['u1', 'u2', 'u3']) {
        assert.equal((await attempt(account, { username, password: 'x' }, ip)).status, 401);
      }
      const refused = await attempt(account, ALICE, ip);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.retryAfter) >= 1);
      assert.equal((await attempt(account, ALICE, '192.0.2.8')).status, 200);
    });

    test('successes do not use up the address: logins from it keep working', async () => {
      const ip = '192.0.2.9';
      for (let i = 0; i < 6; i++) assert.equal((await attempt(account, ALICE, ip)).status, 200);
    });
  });
});
