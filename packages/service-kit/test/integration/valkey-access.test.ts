// The platform's Valkey access, for real: infra/valkey/users.acl loaded by a real valkey-server,
// the apps' client built by valkeyClientFrom() from the same variables main.ts reads, and the
// session package's plain and indexed flows run as the `baton` ACL user. Anything outside the
// ACL is refused, and a refusal is a 503, never a 500. TLS: a throwaway CA and certificate.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import {
  type OpenSession,
  type SessionEvent,
  SessionManager,
  SessionStoreUnavailableError,
  toHttpError,
  waitUntilReady,
} from '@baton/session';
import { ValkeyProcess } from '@baton/valkey-testing';
import { loadConfig, serviceEnvSchema } from '../../src/config.js';
import { valkeyClientFrom } from '../../src/session-config.js';

const ACL_FILE = fileURLToPath(new URL('../../../../../infra/valkey/users.acl', import.meta.url));
const SCRIPTS_DIR = fileURLToPath(
  new URL('../../../../session/src/core/scripts/', import.meta.url),
);
const APP_USER = { REDIS_USERNAME: 'baton', REDIS_PASSWORD: 'baton-local-demo-password' };
/** The file's `default` user: every permission, behind a password. */
const DEFAULT_PASSWORD = 'admin-local-demo-password';
const NAMESPACE = 'myplatform:sessions';

/** The client an app builds from its environment. */
function appClient(env: Record<string, string>): Redis {
  const config = loadConfig(serviceEnvSchema, {
    INSTANCE_ID: 'cart-1',
    PORT: '3000',
    VALKEY_COMMAND_TIMEOUT_MS: '2000',
    ...env,
  });
  const client = valkeyClientFrom(config);
  client.on('error', () => {}); // the wrong-password case fails on purpose
  return client;
}

/** One request: open (with the token, if any), work, commit; the token the client then holds. */
async function request(
  manager: SessionManager,
  token: string | undefined,
  work: (session: OpenSession['session']) => unknown = () => {},
): Promise<{ token: string | undefined; session: OpenSession['session'] }> {
  const opened = await manager.open({ headers: token ? { 'x-auth-token': token } : {} });
  await work(opened.session);
  const headers = new Map<string, unknown>();
  await opened.commit({
    getHeader: (name) => headers.get(name.toLowerCase()) as string | undefined,
    setHeader: (name, value) => void headers.set(name.toLowerCase(), value),
  });
  return {
    token: (headers.get('x-auth-token') as string | undefined) ?? token,
    session: opened.session,
  };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The plain flow every service runs: create, read back, update, rotate, invalidate. */
async function plainFlow(client: Redis): Promise<void> {
  const manager = new SessionManager({ client, namespace: NAMESPACE, resolver: 'header' });
  try {
    const created = await request(manager, undefined, (s) => s.set('cart', ['apple']));
    assert.ok(created.token);
    const read = await request(manager, created.token);
    assert.deepEqual(read.session.get('cart'), ['apple']);
    await request(manager, created.token, (s) =>
      s.update('cart', (cart) => [...((cart as string[]) ?? []), 'pear']),
    );
    const rotated = await request(manager, created.token, (s) => s.changeId());
    assert.notEqual(rotated.token, created.token);
    assert.deepEqual((await request(manager, rotated.token)).session.get('cart'), [
      'apple',
      'pear',
    ]);
    await request(manager, rotated.token, (s) => s.invalidate());
    assert.equal((await request(manager, rotated.token)).session.isNew, true);
  } finally {
    await manager.close();
  }
}

describe('the baton ACL user', () => {
  it('is granted every command the session Lua scripts call (Valkey checks those too)', async () => {
    const rule = (await readFile(ACL_FILE, 'utf8'))
      .split('\n')
      .find((l) => l.startsWith('user baton '));
    const granted = new Set([...(rule ?? '').matchAll(/\+([a-z|]+)/g)].map((m) => m[1]));
    const files = (await readdir(SCRIPTS_DIR, { recursive: true })).filter((f) =>
      f.endsWith('.lua'),
    );
    assert.ok(files.length > 0, `no Lua scripts under ${SCRIPTS_DIR}`);
    for (const file of files) {
      const lua = await readFile(path.join(SCRIPTS_DIR, file), 'utf8');
      for (const [, command] of lua.matchAll(/(?:redis|server)\.p?call\(\s*['"]([A-Za-z]+)['"]/g)) {
        assert.ok(
          granted.has(command!.toLowerCase()),
          `${file} calls ${command}: add +${command!.toLowerCase()} to the baton user in infra/valkey/users.acl`,
        );
      }
    }
  });
});

describe('Valkey with the platform ACL (infra/valkey/users.acl)', () => {
  let valkey: ValkeyProcess;
  let client: Redis;

  before(async () => {
    valkey = await ValkeyProcess.start({
      aclFile: ACL_FILE,
      defaultPassword: DEFAULT_PASSWORD,
      appendOnly: true,
    });
    client = appClient({ VALKEY_URL: valkey.url, ...APP_USER });
    await waitUntilReady(client);
  });

  after(async () => {
    client?.disconnect();
    await valkey?.dispose();
  });

  it('runs the plain session flow as the baton user', async () => {
    await plainFlow(client);
  });

  it('keeps sessions across a restart: the AOF replays under the ACL (MULTI/EXEC included)', async () => {
    // Valkey 8.0 replays the AOF with the default user's permissions: a restricted default
    // user makes every script's MULTI/EXEC fail at load (NOPERM), and the sessions are gone.
    const manager = new SessionManager({ client, namespace: NAMESPACE, resolver: 'header' });
    try {
      const { token } = await request(manager, undefined, (s) => s.set('cart', ['kept']));
      await valkey.restart();
      await waitUntilReady(client, 10_000);
      assert.deepEqual((await request(manager, token)).session.get('cart'), ['kept']);
    } finally {
      await manager.close();
    }
  });

  it('runs indexed mode as the baton user: index, revoke, events, expiry via keyspace notifications', async () => {
    const manager = new SessionManager({
      client,
      namespace: NAMESPACE,
      resolver: 'header',
      indexed: { group: 'acl-test', configureAction: 'none', sweepIntervalMs: 60_000 },
    });
    const events: SessionEvent[] = [];
    manager.events.on('created', (e) => void events.push(e));
    manager.events.on('deleted', (e) => void events.push(e));
    manager.events.on('expired', (e) => void events.push(e));
    try {
      await manager.ready();
      const alice = await request(manager, undefined, (s) => {
        s.changeId();
        s.set('user', 'alice');
        s.setPrincipal('alice');
      });
      const [info] = await manager.index.findByPrincipal('alice');
      assert.ok(info);
      assert.equal(await manager.index.revoke('alice', info.id), true);
      // Expiry: Valkey reclaims the key, publishes on __keyevent@0__:expired, the watcher reaps.
      await request(manager, undefined, (s) => {
        s.changeId();
        s.setPrincipal('bob');
        s.maxInactiveIntervalMs = 300;
      });
      await waitFor('created, deleted and expired events', () =>
        ['created', 'deleted', 'expired'].every((type) => events.some((e) => e.type === type)),
      );
      assert.ok(alice.token);
    } finally {
      await manager.close();
    }
  });

  it('publishes and receives cart changes on <namespace>:cart-changes', async () => {
    const subscriber = client.duplicate();
    subscriber.on('error', () => {});
    try {
      await waitUntilReady(subscriber);
      const received = new Promise<string>((resolve) =>
        subscriber.on('message', (_channel: string, message: string) => resolve(message)),
      );
      await subscriber.subscribe(`${NAMESPACE}:cart-changes`);
      await client.publish(`${NAMESPACE}:cart-changes`, 'some-session-id');
      assert.equal(await received, 'some-session-id');
    } finally {
      subscriber.disconnect();
    }
  });

  it('refuses commands, keys and channels outside the list (NOPERM)', async () => {
    await assert.rejects(client.get('otherapp:secret'), /NOPERM/);
    await assert.rejects(client.config('GET', 'dir'), /NOPERM/);
    await assert.rejects(client.config('SET', 'dir', '/tmp'), /NOPERM/);
    await assert.rejects(client.keys('*'), /NOPERM/);
    await assert.rejects(client.flushall(), /NOPERM/);
    await assert.rejects(client.call('ACL', 'LIST'), /NOPERM/);
    await assert.rejects(client.publish('otherapp:events', 'x'), /NOPERM/);
    await assert.rejects(client.eval("return redis.call('GET', 'otherapp:secret')", 0), /ACL/);
  });

  it('a refusal inside a session script is a 503 SESSION_STORE_UNAVAILABLE, not a 500', async () => {
    const outside = new SessionManager({
      client,
      namespace: 'otherapp:sessions',
      resolver: 'header',
    });
    try {
      const err = await request(outside, undefined, (s) => s.set('cart', ['apple'])).then(
        () => assert.fail('a write outside myplatform: must be refused'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof SessionStoreUnavailableError, String(err));
      assert.equal(toHttpError(err)?.status, 503);
    } finally {
      await outside.close();
    }
  });

  it('configureAction auto is refused CONFIG (why the apps run with none)', async () => {
    await assert.rejects(client.config('GET', 'notify-keyspace-events'), /NOPERM/);
  });

  it('without credentials nothing runs; a wrong password never becomes ready', async () => {
    const anonymous = appClient({ VALKEY_URL: valkey.url });
    try {
      await assert.rejects(anonymous.ping(), /NOAUTH|writeable/);
    } finally {
      anonymous.disconnect();
    }
    const wrong = appClient({
      VALKEY_URL: valkey.url,
      REDIS_USERNAME: 'baton',
      REDIS_PASSWORD: 'guess',
    });
    try {
      await assert.rejects(waitUntilReady(wrong, 1_000), /not ready/);
    } finally {
      wrong.disconnect();
    }
  });
});

describe('Valkey over TLS (rediss://, VALKEY_TLS_CA_FILE)', () => {
  let dir: string;
  let valkey: ValkeyProcess;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'baton-tls-'));
    await throwawayCertificates(dir);
    valkey = await ValkeyProcess.start({
      aclFile: ACL_FILE,
      defaultPassword: DEFAULT_PASSWORD,
      tls: {
        caFile: path.join(dir, 'ca.pem'),
        certFile: path.join(dir, 'server.pem'),
        keyFile: path.join(dir, 'server-key.pem'),
      },
    });
  });

  after(async () => {
    await valkey?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the session flow over rediss:// with the private CA, as the baton user', async () => {
    const client = appClient({
      VALKEY_URL: valkey.tlsUrl,
      VALKEY_TLS_CA_FILE: path.join(dir, 'ca.pem'),
      ...APP_USER,
    });
    try {
      await waitUntilReady(client);
      await plainFlow(client);
    } finally {
      client.disconnect();
    }
  });

  it('refuses a server whose certificate it cannot verify (no CA given)', async () => {
    const client = appClient({ VALKEY_URL: valkey.tlsUrl, ...APP_USER });
    try {
      await assert.rejects(waitUntilReady(client, 1_000), /not ready/);
    } finally {
      client.disconnect();
    }
  });
});

/** A CA and a server certificate for 127.0.0.1 it signed, with openssl, in `dir`. */
async function throwawayCertificates(dir: string): Promise<void> {
  const openssl = (...args: string[]) => promisify(execFile)('openssl', args, { cwd: dir });
  // A client checks the IP it dialled against the certificate's subjectAltName.
  await writeFile(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await openssl(
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
    ...['-subj', '/CN=baton-test-ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem'],
  );
  await openssl(
    ...['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1'],
    ...['-keyout', 'server-key.pem', '-out', 'server.csr'],
  );
  await openssl(
    ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem'],
    ...['-CAcreateserial', '-days', '1', '-out', 'server.pem'],
    ...['-extfile', 'san.ext'],
  );
}
