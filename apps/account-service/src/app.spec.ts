import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitUntilReady } from '@baton/session';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type RunningAccount, login, startAccount } from '../test/harness.js';

interface ErrorBody {
  error: { code: string; message: string };
}

/** Asserts the platform's error shape and returns it. */
async function errorOf(res: Response, status: number): Promise<ErrorBody['error']> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(res.headers.get('x-served-by'), 'account-1');
  const body = (await res.json()) as ErrorBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(typeof body.error.code, 'string');
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

describe('platform contract', () => {
  let valkey: ValkeyProcess;
  let account: RunningAccount;

  before(async () => {
    valkey = await ValkeyProcess.start();
    account = await startAccount(valkey.url);
  });

  after(async () => {
    await account?.close();
    await valkey?.dispose();
  });

  test('/healthz and /readyz answer 200, with X-Served-By and X-Build-Version', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await account.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('x-served-by'), 'account-1');
      assert.equal(res.headers.get('x-build-version'), 'dev');
    }
    const health = await account.request('/healthz');
    assert.deepEqual(await health.json(), { status: 'ok', instance: 'account-1', version: 'dev' });
  });

  test('a Nest answer (an error) carries X-Build-Version too', async () => {
    const res = await account.request('/api/account/me');
    await res.arrayBuffer();
    assert.equal(res.headers.get('x-build-version'), 'dev');
  });

  test('/metrics counts requests by route pattern', async () => {
    await login(account);
    const res = await account.request('/metrics');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(
      text,
      /baton_http_requests_total\{method="POST",route="\/api\/account\/login",status="200",instance="account-1"\} \d+/,
    );
    assert.match(text, /baton_session_store_calls_total\{op="save",outcome="ok"/);
  });

  test('unknown route → 404 JSON', async () => {
    const error = await errorOf(await account.request('/api/account/nope'), 404);
    assert.deepEqual(error, { code: 'NOT_FOUND', message: 'No route for GET /api/account/nope' });
    await errorOf(await account.request('/api/account/me', { method: 'DELETE' }), 404);
  });

  test('malformed JSON → 400 MALFORMED_JSON', async () => {
    const res = await account.request('/api/account/login', { body: '{"username": "alice",' });
    assert.equal((await errorOf(res, 400)).code, 'MALFORMED_JSON');
  });

  test('a body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await account.request('/api/account/login', {
      json: { username: 'alice', password: 'x'.repeat(20_000) },
    });
    assert.equal((await errorOf(res, 413)).code, 'PAYLOAD_TOO_LARGE');
  });

  test('a missing or mistyped field → 400 naming it', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ password: 'alice123' }, 'INVALID_USERNAME', /^username: is required$/],
      [{ username: 'alice' }, 'INVALID_PASSWORD', /^password: is required$/],
      [{ username: 42, password: 'alice123' }, 'INVALID_USERNAME', /^username: must be a string$/],
      [{ username: 'alice', password: '' }, 'INVALID_PASSWORD', /^password: must not be empty$/],
      [{ username: 'a'.repeat(65), password: 'x' }, 'INVALID_USERNAME', /at most 64/],
    ];
    for (const [json, code, message] of cases) {
      const error = await errorOf(await account.request('/api/account/login', { json }), 400);
      assert.equal(error.code, code, JSON.stringify(json));
      assert.match(error.message, message);
    }
  });

  test('a body that is not a JSON object → 400, never read as one', async () => {
    // express.json parses only objects and arrays (strict): a bare string or null is malformed.
    const bodies: { body: string; contentType?: string; code: string }[] = [
      { body: '[]', code: 'INVALID_BODY' },
      { body: '"alice"', code: 'MALFORMED_JSON' },
      { body: 'null', code: 'MALFORMED_JSON' },
      {
        body: 'username=alice&password=alice123',
        contentType: 'application/x-www-form-urlencoded',
        code: 'INVALID_BODY',
      },
      { body: 'alice alice123', contentType: 'text/plain', code: 'INVALID_BODY' },
    ];
    for (const { code, ...init } of bodies) {
      const res = await account.request('/api/account/login', init);
      assert.equal((await errorOf(res, 400)).code, code, init.body);
    }
    const empty = await account.request('/api/account/login', { method: 'POST' });
    assert.equal((await errorOf(empty, 400)).code, 'INVALID_BODY');
  });
});

describe('Valkey stopped', () => {
  let valkey: ValkeyProcess;
  let account: RunningAccount;
  let token: string;

  before(async () => {
    // AOF on, so the login made before the outage is still there when Valkey is back.
    valkey = await ValkeyProcess.start({ appendOnly: true });
    account = await startAccount(valkey.url);
    const loggedIn = await login(account);
    token = loggedIn.token as string;
    await valkey.stop();
  });

  after(async () => {
    await account?.close();
    await valkey?.dispose();
  });

  test('login → 503 SESSION_STORE_UNAVAILABLE with Retry-After, not a 500', async () => {
    const res = await account.request('/api/account/login', {
      json: { username: 'alice', password: 'alice123' },
    });
    assert.equal((await errorOf(res, 503)).code, 'SESSION_STORE_UNAVAILABLE');
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.headers.get('x-auth-token'), null, 'no token for a session never stored');
  });

  test('me with a token → 503 with Retry-After', async () => {
    const res = await account.request('/api/account/me', { token });
    assert.equal((await errorOf(res, 503)).code, 'SESSION_STORE_UNAVAILABLE');
    assert.equal(res.headers.get('retry-after'), '1');
  });

  test('/healthz stays 200 while /readyz says 503', async () => {
    assert.equal((await account.request('/healthz')).status, 200);
    assert.equal((await account.request('/readyz')).status, 503);
  });

  test('once Valkey is back, the same token works again', async () => {
    await valkey.restart();
    await waitUntilReady(account.valkey, 5_000);
    const me = await account.request('/api/account/me', { token });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { user: { username: string } }).user.username, 'alice');
    const { res } = await login(account);
    assert.equal(res.status, 200);
  });
});
