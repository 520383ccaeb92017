import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type SessionOptions, createValkeyClient, waitUntilReady } from '../../src/core/index.js';
import { session, sessionErrorHandler } from '../../src/express/index.js';

/** Logs nothing but remembers what would have been logged, so tests can assert on it. */
export class RecordingLogger {
  readonly warnings: { obj: object; msg: string }[] = [];
  warn(obj: object, msg: string): void {
    this.warnings.push({ obj, msg });
  }
}

export async function startValkey(): Promise<{ valkey: ValkeyProcess; client: Redis }> {
  const valkey = await ValkeyProcess.start();
  const client = createValkeyClient({ url: valkey.url, commandTimeoutMs: 300 });
  await waitUntilReady(client);
  return { valkey, client };
}

/** The article's cart routes plus login/logout, on the Express adapter. */
export function demoApp(options: SessionOptions): Express {
  const app = express();
  app.use(express.json());
  app.use(session(options));
  app.get('/cart', (req, res) => {
    res.json({ cart: req.session.get<string[]>('cart') ?? [] });
  });
  app.post('/cart/:item', async (req, res) => {
    const cart = await req.session.update<string[]>('cart', (c = []) => [
      ...c,
      req.params.item as string,
    ]);
    res.json({ sessionId: req.session.id, cart });
  });
  app.put('/attr/:name', (req, res) => {
    req.session.set(req.params.name as string, req.body.value);
    res.json({ ok: true });
  });
  app.post('/login', (req, res) => {
    req.session.changeId();
    req.session.set('user', req.body.user ?? 'alice');
    res.json({ sessionId: req.session.id });
  });
  app.post('/logout', (req, res) => {
    req.session.invalidate();
    res.status(204).end();
  });
  app.use(sessionErrorHandler());
  return app;
}

export interface HttpClient {
  base: string;
  request(
    path: string,
    init?: { method?: string; cookie?: string; token?: string; json?: unknown },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function listen(app: Express): Promise<HttpClient> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    request(path, init = {}) {
      const headers: Record<string, string> = {};
      if (init.cookie !== undefined) headers.cookie = init.cookie;
      if (init.token !== undefined) headers['x-auth-token'] = init.token;
      if (init.json !== undefined) headers['content-type'] = 'application/json';
      return fetch(base + path, {
        method: init.method ?? 'GET',
        headers,
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `SESSION=abc` from a Set-Cookie header, for the next request's Cookie header. */
export function cookiePair(res: Response): string | undefined {
  const setCookie = res.headers.get('set-cookie');
  return setCookie ? (setCookie.split(';')[0] as string) : undefined;
}

export async function sessionKeys(client: Redis): Promise<string[]> {
  return client.keys('*sessions:{*');
}
