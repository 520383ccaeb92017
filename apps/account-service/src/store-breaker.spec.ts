import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type RunningAccount, login, startAccount } from '../test/harness.js';

/**
 * A command timeout far above the breaker's 50 ms probe wait, so "answered by the breaker" and
 * "answered by the timeout" cannot be mistaken for each other on a busy machine.
 */
const COMMAND_TIMEOUT_MS = 2_000;

interface Answer {
  status: number;
  retryAfter: string | null;
  code: string | undefined;
  ms: number;
}

async function me(account: RunningAccount, token: string): Promise<Answer> {
  const started = Date.now();
  const res = await account.request('/api/account/me', { token });
  const body = (await res.json()) as { error?: { code: string } };
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    code: body.error?.code,
    ms: Date.now() - started,
  };
}

describe('store breaker: Valkey stalled (SIGSTOP), then healed (SIGCONT)', () => {
  let valkey: ValkeyProcess;
  let account: RunningAccount;
  let stopped = false;

  before(async () => {
    valkey = await ValkeyProcess.start();
    account = await startAccount(valkey.url, {
      VALKEY_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
    });
  });

  after(async () => {
    if (stopped) process.kill(valkey.pid as number, 'SIGCONT');
    await account?.close();
    await valkey?.dispose();
  });

  test('503 + Retry-After without waiting out the command timeout, and 200 once it answers', async () => {
    const { token } = await login(account);
    assert.ok(token);
    assert.equal((await me(account, token)).status, 200);

    process.kill(valkey.pid as number, 'SIGSTOP');
    stopped = true;
    // The first request meets the stall itself: it waits out the command timeout, and trips it.
    const first = await me(account, token);
    assert.equal(first.status, 503);
    assert.equal(first.code, 'SESSION_STORE_UNAVAILABLE');

    // Every request after it, `me` and a login alike, is answered by the tripped breaker.
    const during: Answer[] = [];
    for (let i = 0; i < 10; i++) {
      during.push(await me(account, token));
      await sleep(20);
    }
    const started = Date.now();
    const loginRes = await account.request('/api/account/login', {
      json: { username: 'bob', password: 'bob123' },
    });
    const loginBody = (await loginRes.json()) as { error?: { code: string } };
    during.push({
      status: loginRes.status,
      retryAfter: loginRes.headers.get('retry-after'),
      code: loginBody.error?.code,
      ms: Date.now() - started,
    });

    process.kill(valkey.pid as number, 'SIGCONT');
    stopped = false;
    const healedAt = Date.now();
    let after: Answer | undefined;
    for (let i = 0; i < 40 && after?.status !== 200; i++) {
      after = await me(account, token);
      if (after.status !== 200) await sleep(25);
    }
    const recoveryMs = Date.now() - healedAt;

    console.log(
      `account store stall: requests=${during.length}, ` +
        `answered503=${during.filter((a) => a.status === 503).length}, ` +
        `maxMs=${Math.max(...during.map((a) => a.ms))}, firstRequestMs=${first.ms}, ` +
        `commandTimeoutMs=${COMMAND_TIMEOUT_MS}, recoveryMs=${recoveryMs}`,
    );
    for (const answer of during) {
      assert.equal(answer.status, 503);
      assert.equal(answer.code, 'SESSION_STORE_UNAVAILABLE');
      assert.match(answer.retryAfter ?? '', /^\d+$/);
      assert.ok(
        answer.ms < COMMAND_TIMEOUT_MS / 2,
        `answered after ${answer.ms} ms: it waited for the store's ${COMMAND_TIMEOUT_MS} ms timeout`,
      );
    }
    assert.equal(after?.status, 200, 'me answers again once Valkey does');
  });
});
