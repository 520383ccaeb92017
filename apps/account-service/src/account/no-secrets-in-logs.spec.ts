// account-service's real login path with its logger captured at `trace`: a failed and a
// successful login (the password in the body), `me`, the session list and logout with the token
// in X-Auth-Token (and an Authorization header a client might add). No log line may hold the
// passwords or any token the service handed out or received.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { createValkeyClient, waitUntilReady } from '@baton/session';
import { createHttpServer, createLogger, loadConfig } from '@baton/service-kit';
import { ValkeyProcess } from '@baton/valkey-testing';
import { createApp } from '../app.js';
import { accountEnvSchema } from '../config.js';

/** Every line the service's logger wrote. */
class CapturedLines extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

describe('account-service logs no password and no token', () => {
  const captured = new CapturedLines();
  let valkey: ValkeyProcess;
  let client: Redis;
  let app: INestApplication;
  let server: Server;
  let base: string;

  before(async () => {
    valkey = await ValkeyProcess.start();
    const config = loadConfig(accountEnvSchema, {
      INSTANCE_ID: 'account-1',
      PORT: '1',
      VALKEY_URL: valkey.url,
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'trace',
    });
    client = createValkeyClient({ url: valkey.url });
    await waitUntilReady(client);
    app = await createApp(config, {
      valkey: client,
      logger: createLogger('account-1', 'trace', captured),
    });
    server = createHttpServer(app.getHttpAdapter().getInstance() as Express);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await app?.close();
    client?.disconnect();
    await valkey?.dispose();
  });

  test('login, me, sessions and logout', async () => {
    const secrets = ['alice123', 'not-alices-password', 'Bearer-secret-api-key'];
    const post = (path: string, body: unknown, token?: string) =>
      fetch(base + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer Bearer-secret-api-key',
          ...(token ? { 'x-auth-token': token } : {}),
        },
        body: JSON.stringify(body),
      });

    const refused = await post('/api/account/login', {
      username: 'alice',
      password: 'not-alices-password',
    });
    assert.equal(refused.status, 401);
    const login = await post('/api/account/login', { username: 'alice', password: 'alice123' });
    assert.equal(login.status, 200);
    const token = login.headers.get('x-auth-token');
    assert.ok(token);
    secrets.push(token);
    const withToken = { headers: { 'x-auth-token': token } };
    assert.equal((await fetch(`${base}/api/account/me`, withToken)).status, 200);
    assert.equal((await fetch(`${base}/api/account/sessions`, withToken)).status, 200);
    assert.equal((await post('/api/account/logout', {}, token)).status, 204);

    assert.ok(captured.lines.some((line) => line.includes('/api/account/login')));
    for (const line of captured.lines) {
      for (const secret of secrets) {
        assert.ok(!line.includes(secret), `a log line holds ${secret.slice(0, 6)}…:\n${line}`);
      }
    }
  });
});
