import type { Redis } from 'ioredis';
import {
  type IndexedOptions,
  type OpenSession,
  SessionManager,
  createValkeyClient,
  waitUntilReady,
} from '../../src/core/index.js';
import { RecordingLogger } from './harness.js';

export const NS = 'idx';

/** A response stand-in that records the headers a commit sets. */
export class Headers {
  readonly values = new Map<string, unknown>();
  getHeader(name: string) {
    return this.values.get(name.toLowerCase()) as string | string[] | undefined;
  }
  setHeader(name: string, value: unknown) {
    this.values.set(name.toLowerCase(), value);
  }
  token(): string | undefined {
    return this.values.get('x-auth-token') as string | undefined;
  }
}

/** One application node: its own client and manager, like one replica of a service. */
export interface Node {
  client: Redis;
  manager: SessionManager;
  logger: RecordingLogger;
  stop(): Promise<void>;
}

export async function startNode(
  url: string,
  indexed: IndexedOptions = {},
  maxInactiveIntervalMs?: number,
): Promise<Node> {
  const client = createValkeyClient({ url, commandTimeoutMs: 2_000 });
  await waitUntilReady(client);
  const logger = new RecordingLogger();
  const manager = new SessionManager({
    client,
    namespace: NS,
    resolver: 'header',
    logger,
    indexed: { sweepIntervalMs: 60_000, ...indexed },
    ...(maxInactiveIntervalMs !== undefined ? { maxInactiveIntervalMs } : {}),
  });
  return {
    client,
    manager,
    logger,
    async stop() {
      await manager.close();
      client.disconnect();
    },
  };
}

/** Opens a session the way a request would, runs `work`, commits; returns the token the client holds. */
export async function request(
  manager: SessionManager,
  token: string | undefined,
  work: (s: OpenSession['session']) => unknown = () => {},
) {
  const opened = await manager.open({
    headers: token === undefined ? {} : { 'x-auth-token': token },
  });
  await work(opened.session);
  const res = new Headers();
  await opened.commit(res);
  return { token: res.token() ?? token, session: opened.session };
}

/** What a login handler does: a new token (fixation), the user, and the principal. */
export function login(manager: SessionManager, token: string | undefined, user: string) {
  return request(manager, token, (s) => {
    s.changeId();
    s.set('user', user);
    s.setPrincipal(user);
  });
}

export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
