import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import {
  KeyLayout,
  SessionManager,
  createValkeyClient,
  sessionIdOf,
  waitUntilReady,
} from '@baton/session';
import { createHttpServer, createLogger, loadConfig } from '@baton/service-kit';
import { createApp } from '../src/app.js';
import { type AccountConfig, accountEnvSchema } from '../src/config.js';

export interface RequestInit {
  method?: string;
  /** Sent as `X-Auth-Token`, as the gateway does. */
  token?: string;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as is, with `contentType` (default application/json). */
  body?: string;
  contentType?: string;
}

/** One account-service replica, started in-process on a free loopback port. */
export interface RunningAccount {
  base: string;
  config: AccountConfig;
  app: INestApplication;
  /** The replica's own Valkey client. */
  valkey: Redis;
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

let namespaces = 0;
/** A namespace per test, so keys of one test never meet another's. */
export function freshNamespace(): string {
  return `account-test-${process.pid}-${++namespaces}`;
}

/** Starts a replica with the env a stack would give it, plus `env` overrides. */
export async function startAccount(
  valkeyUrl: string,
  env: Record<string, string> = {},
): Promise<RunningAccount> {
  const config = loadConfig(accountEnvSchema, {
    INSTANCE_ID: 'account-1',
    HOST: '127.0.0.1',
    PORT: '1',
    VALKEY_URL: valkeyUrl,
    VALKEY_COMMAND_TIMEOUT_MS: '300',
    SESSION_NAMESPACE: freshNamespace(),
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const valkey = createValkeyClient({
    url: valkeyUrl,
    commandTimeoutMs: config.VALKEY_COMMAND_TIMEOUT_MS,
  });
  await waitUntilReady(valkey);
  const app = await createApp(config, {
    valkey,
    logger: createLogger(config.INSTANCE_ID, config.LOG_LEVEL),
  });
  const server: Server = createHttpServer(app.getHttpAdapter().getInstance() as Express);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    config,
    app,
    valkey,
    request(path, init = {}) {
      const headers: Record<string, string> = {};
      if (init.token !== undefined) headers['x-auth-token'] = init.token;
      let body: string | undefined;
      if (init.json !== undefined) body = JSON.stringify(init.json);
      if (init.body !== undefined) body = init.body;
      if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
      return fetch(base + path, {
        method: init.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        ...(body !== undefined ? { body } : {}),
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
      await valkey.quit().catch(() => valkey.disconnect());
    },
  };
}

/** `POST /api/account/login` as alice (or whoever), returning the response and its new token. */
export async function login(
  account: RunningAccount,
  credentials: { username: string; password: string } = {
    username: 'alice',
    password: 'alice123',
  },
  token?: string,
): Promise<{ res: Response; token: string | null; body: unknown }> {
  const res = await account.request('/api/account/login', {
    json: credentials,
    ...(token !== undefined ? { token } : {}),
  });
  return { res, token: res.headers.get('x-auth-token'), body: await res.json() };
}

/** The Valkey key of the session a token names. */
export function sessionKey(namespace: string, token: string): string {
  return new KeyLayout(namespace).sessionKey(sessionIdOf(token));
}

/**
 * Writes attributes into a new session the way another service of the platform (cart-service)
 * would, through the core SessionManager on the same Valkey and namespace, and returns its token.
 */
export async function seedSession(
  client: Redis,
  namespace: string,
  attributes: Record<string, unknown>,
  token?: string,
): Promise<string> {
  const manager = new SessionManager({ client, namespace, resolver: 'header' });
  const opened = await manager.open({
    headers: token === undefined ? {} : { 'x-auth-token': token },
  });
  for (const [name, value] of Object.entries(attributes)) opened.session.set(name, value);
  const headers = new Map<string, string>();
  await opened.commit({
    getHeader: (name) => headers.get(name.toLowerCase()),
    setHeader: (name, value) => headers.set(name.toLowerCase(), String(value)),
  });
  const issued = headers.get('x-auth-token') ?? token;
  if (!issued) throw new Error('the seeded session got no token');
  return issued;
}

/** Reads one attribute of the session a token names, as another service would. */
export async function readAttribute(
  client: Redis,
  namespace: string,
  token: string,
  name: string,
): Promise<unknown> {
  const manager = new SessionManager({ client, namespace, resolver: 'header' });
  const opened = await manager.open({ headers: { 'x-auth-token': token } });
  if (opened.session.isNew) return undefined;
  return opened.session.get(name);
}
