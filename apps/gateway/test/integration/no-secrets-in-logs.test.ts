// Tokens and passwords never reach a log line. The gateway and a real cart-service log at `trace`
// into a captured stream while they serve the real request paths: a login answered with a token
// (turned into a cookie), cart requests with the cookie, with X-Auth-Token and with an
// Authorization header, and Valkey refusing a wrong password and being unreachable with a
// password in VALKEY_URL. Then no line may contain any secret that was sent or received.
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { SessionManager, waitUntilReady } from '@baton/session';
import {
  Readiness,
  createLogger,
  loadConfig,
  serviceEnvSchema,
  valkeyClientFrom,
} from '@baton/service-kit';
import { ValkeyProcess, freePort } from '@baton/valkey-testing';
import { createApp as createCartApp } from '@baton/cart-service/app';
import { type GatewayApp, createApp } from '../../src/app.js';
import { gatewayEnvSchema } from '../../src/config.js';
import { FakeUpstream } from './fake-upstream.js';
import { request } from './harness.js';

const ACL_FILE = fileURLToPath(new URL('../../../../../infra/valkey/users.acl', import.meta.url));
const VALKEY_PASSWORD = 'baton-local-demo-password';
const NAMESPACE = 'myplatform:sessions';

/** Every line any logger of this test wrote. */
class CapturedLines extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

describe('no token, cookie or password in any log line', () => {
  const captured = new CapturedLines();
  const logger = (instance: string) => createLogger(instance, 'trace', captured);
  let valkey: ValkeyProcess;
  const clients: Redis[] = [];
  let cartServer: Server;
  let cartUrl: string;
  let account: FakeUpstream;
  let gateway: GatewayApp;
  let gatewayServer: Server;
  let gatewayUrl: string;
  let accounts: SessionManager;
  /** Everything that must never be logged; filled as the test sends and receives it. */
  const secrets = new Set<string>([VALKEY_PASSWORD]);

  /** The app's client, from the variables main.ts reads, logging into the captured stream. */
  function client(env: Record<string, string>, instance: string): Redis {
    const config = loadConfig(serviceEnvSchema, { INSTANCE_ID: instance, PORT: '1', ...env });
    const created = valkeyClientFrom(config, logger(instance));
    clients.push(created);
    return created;
  }

  const credentials = { REDIS_USERNAME: 'baton', REDIS_PASSWORD: VALKEY_PASSWORD };

  before(async () => {
    valkey = await ValkeyProcess.start({
      aclFile: ACL_FILE,
      defaultPassword: 'admin-local-demo-password',
    });
    const env = {
      VALKEY_URL: valkey.url,
      ...credentials,
      LOG_LEVEL: 'trace',
      COOKIE_SECURE: 'false',
    };

    const cartConfig = loadConfig(serviceEnvSchema, { INSTANCE_ID: 'cart-1', PORT: '1', ...env });
    const cartValkey = client(env, 'cart-1');
    await waitUntilReady(cartValkey);
    const cartApp = createCartApp(cartConfig, { valkey: cartValkey, logger: logger('cart-1') });
    cartServer = await new Promise((resolve) => {
      const server = cartApp.listen(0, '127.0.0.1', () => resolve(server));
    });
    cartUrl = `http://127.0.0.1:${(cartServer.address() as AddressInfo).port}`;
    account = await FakeUpstream.start('account-1');

    const gatewayConfig = loadConfig(gatewayEnvSchema, {
      INSTANCE_ID: 'gateway-1',
      PORT: '1',
      ...env,
      VALKEY_CONFIGURE_ACTION: 'none',
      CART_URL: cartUrl,
      ACCOUNT_URL: account.url,
    });
    const gatewayValkey = client(env, 'gateway-1');
    await waitUntilReady(gatewayValkey);
    gateway = createApp(gatewayConfig, {
      valkey: gatewayValkey,
      logger: logger('gateway-1'),
      readiness: new Readiness(gatewayValkey),
    });
    await gateway.ready();
    gatewayServer = await new Promise((resolve) => {
      const server = createServer(gateway.handler);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    gatewayUrl = `http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}`;

    const accountValkey = client(env, 'account-1');
    await waitUntilReady(accountValkey);
    accounts = new SessionManager({
      client: accountValkey,
      namespace: NAMESPACE,
      resolver: 'header',
    });
  });

  after(async () => {
    await gateway?.close();
    gatewayServer?.closeAllConnections();
    await new Promise<void>((resolve) =>
      gatewayServer ? gatewayServer.close(() => resolve()) : resolve(),
    );
    cartServer?.closeAllConnections();
    await new Promise<void>((resolve) =>
      cartServer ? cartServer.close(() => resolve()) : resolve(),
    );
    await accounts?.close();
    clients.forEach((c) => c.disconnect());
    await account?.stop();
    await valkey?.dispose();
  });

  it('logs the requests, but none of their secrets', async () => {
    // A token the account service would hand out at login.
    const opened = await accounts.open({ headers: {} });
    opened.session.set('user', { username: 'alice' });
    const headers = new Map<string, string>();
    await opened.commit({
      getHeader: (name) => headers.get(name.toLowerCase()),
      setHeader: (name, value) => headers.set(name.toLowerCase(), String(value)),
    });
    const token = headers.get('x-auth-token');
    assert.ok(token);
    secrets.add(token);

    // Login through the gateway: the password in the body, the token back as a cookie.
    const password = 'alice-correct-horse-battery';
    secrets.add(password);
    account.replyOnce({ status: 200, headers: { 'x-auth-token': token }, body: '{"user":{}}' });
    const login = await request(gatewayUrl, 'POST', '/api/account/login', {
      headers: { 'content-type': 'application/json', origin: gatewayUrl },
      body: JSON.stringify({ username: 'alice', password }),
    });
    assert.equal(login.status, 200);
    assert.match(String(login.headers['set-cookie']), new RegExp(`SESSION=${token}`));

    // Cart through the gateway with the cookie (and a bearer header a client might add).
    const bearer = 'Bearer some-api-key-that-is-secret';
    secrets.add('some-api-key-that-is-secret');
    const viaGateway = await request(gatewayUrl, 'POST', '/api/cart/items', {
      headers: {
        'content-type': 'application/json',
        origin: gatewayUrl,
        cookie: `theme=dark; SESSION=${token}`,
        authorization: bearer,
      },
      body: JSON.stringify({ sku: 'apple', qty: 1 }),
    });
    assert.equal(viaGateway.status, 201, viaGateway.body);
    // Straight to the cart with X-Auth-Token, as the gateway's internal hop does.
    const direct = await request(cartUrl, 'GET', '/api/cart', {
      headers: { 'x-auth-token': token },
    });
    assert.equal(direct.status, 200);
    // A new session handed out by the cart (the token only in the response header).
    const fresh = await request(cartUrl, 'POST', '/cart/apple');
    const freshToken = String(fresh.headers['x-auth-token'] ?? '');
    assert.ok(freshToken);
    secrets.add(freshToken);

    // Valkey refuses a wrong password; another one is unreachable with the password in the URL.
    const wrongPassword = 'not-the-valkey-password';
    secrets.add(wrongPassword);
    const refused = client(
      { VALKEY_URL: valkey.url, REDIS_USERNAME: 'baton', REDIS_PASSWORD: wrongPassword },
      'cart-2',
    );
    const urlPassword = 'password-inside-the-url';
    secrets.add(urlPassword);
    const unreachable = client(
      { VALKEY_URL: `redis://baton:${urlPassword}@127.0.0.1:${await freePort()}` },
      'cart-3',
    );
    await waitForLine(captured, '"instance":"cart-2"');
    await waitForLine(captured, '"instance":"cart-3"');
    refused.disconnect();
    unreachable.disconnect();

    assert.ok(captured.lines.length > 5, 'the apps logged the requests');
    assert.ok(
      captured.lines.some((line) => line.includes('/api/cart/items')),
      'request lines are there',
    );
    for (const line of captured.lines) {
      for (const secret of secrets) {
        assert.ok(
          !line.includes(secret),
          `a log line holds a secret (${secret.slice(0, 6)}…):\n${line}`,
        );
      }
    }
  });
});

/** Waits until some captured line contains `text`. */
async function waitForLine(captured: CapturedLines, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!captured.lines.some((line) => line.includes(text))) {
    if (Date.now() > deadline) throw new Error(`no log line with ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
