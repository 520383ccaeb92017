import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  Body,
  type CanActivate,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  Injectable,
  type INestApplication,
  Module,
  Param,
  Post,
  Put,
  Res,
  UseGuards,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ValkeyProcess, freePort } from '@baton/valkey-testing';
import type { Response as ExpressResponse } from 'express';
import type { Redis } from 'ioredis';
import {
  SessionDataCorruptError,
  SessionManager,
  SessionOptionsInvalidError,
  SessionUpdateConflictError,
  createValkeyClient,
  waitUntilReady,
} from '../../src/core/index.js';
import { Session, SessionModule, sessionOf } from '../../src/nest/index.js';

/** Lets only requests whose session has a user through: guards must see the session. */
@Injectable()
class SignedInGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    return sessionOf(ctx.switchToHttp().getRequest<object>()).has('user');
  }
}

/** The article's cart routes plus login/logout and the odd ways a Nest response can leave. */
@Controller()
class DemoController {
  @Get('cart')
  cart(@Session() session: Session) {
    return { cart: session.get<string[]>('cart') ?? [] };
  }

  @Post('cart/:item')
  async add(@Session() session: Session, @Param('item') item: string) {
    const cart = await session.update<string[]>('cart', (c = []) => [...c, item]);
    return { sessionId: session.id, cart };
  }

  @Get('attr/:name')
  read(@Session() session: Session, @Param('name') name: string) {
    return { value: session.get(name) ?? null, isNew: session.isNew };
  }

  @Put('attr/:name')
  write(
    @Session() session: Session,
    @Param('name') name: string,
    @Body() body: { value: unknown },
  ) {
    session.set(name, body.value);
    return { ok: true };
  }

  @Post('login')
  login(@Session() session: Session, @Body() body: { user?: string }) {
    session.changeId();
    session.set('user', body.user ?? 'alice');
    return { sessionId: session.id };
  }

  @Post('logout')
  @HttpCode(204)
  logout(@Session() session: Session) {
    session.invalidate();
  }

  @Post('passthrough')
  passthrough(@Session() session: Session, @Res({ passthrough: true }) res: ExpressResponse) {
    res.status(201).setHeader('X-Handler', 'yes');
    session.set('via', 'passthrough');
    return { ok: true };
  }

  @Post('forbidden')
  forbidden(@Session() session: Session) {
    session.set('attempted', true);
    throw new ForbiddenException('not you');
  }

  @Get('conflict')
  conflict() {
    throw new SessionUpdateConflictError('cart', 32);
  }

  @Get('corrupt')
  corrupt() {
    throw new SessionDataCorruptError('never meant to reach a client');
  }

  @Get('guarded')
  @UseGuards(SignedInGuard)
  guarded(@Session() session: Session) {
    return { user: session.get('user') };
  }
}

/** Reuses the module's exported SessionManager, as a readiness endpoint would. */
@Controller()
class ReadinessController {
  constructor(@Inject(SessionManager) private readonly manager: SessionManager) {}

  @Get('readyz')
  ready() {
    return { ready: this.manager.client.status === 'ready' };
  }
}

const VALKEY_URL = Symbol('VALKEY_URL');

interface TestApp {
  app: INestApplication;
  request(path: string, init?: RequestOptions): Promise<Response>;
}

interface RequestOptions {
  method?: string;
  cookie?: string;
  token?: string;
  json?: unknown;
}

/** Logs nothing but remembers what would have been logged. */
class RecordingLogger {
  readonly warnings: { obj: object; msg: string }[] = [];
  warn(obj: object, msg: string): void {
    this.warnings.push({ obj, msg });
  }
}

let namespaces = 0;
/** A namespace of its own per app, so each test counts only its own keys. */
function freshNamespace(): string {
  return `nest-test-${++namespaces}`;
}

async function startApp(
  sessionModule: DynamicModule,
  controllers: (new (...args: never[]) => unknown)[] = [DemoController],
  imports: DynamicModule['imports'] = [],
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [...(imports ?? []), sessionModule],
    controllers,
  }).compile();
  // forceCloseConnections: fetch keeps sockets alive, which would hold app.close() for seconds.
  const app = moduleRef.createNestApplication({ logger: false, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
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
  };
}

/** `SESSION=abc` from a Set-Cookie header, for the next request's Cookie header. */
function cookiePair(res: Response): string | undefined {
  const setCookie = res.headers.get('set-cookie');
  return setCookie ? (setCookie.split(';')[0] as string) : undefined;
}

function keysOf(client: Redis, namespace: string): Promise<string[]> {
  return client.keys(`${namespace}:sessions:*`);
}

/** Polls `probe` until it returns true: for a store coming back, which takes up to a second. */
async function eventually(probe: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`condition not met within ${timeoutMs} ms`);
}

describe('Nest adapter (cookie resolver)', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  let namespace: string;
  let http: TestApp;

  before(async () => {
    valkey = await ValkeyProcess.start();
    client = createValkeyClient({ url: valkey.url, commandTimeoutMs: 300 });
    await waitUntilReady(client);
    namespace = freshNamespace();
    http = await startApp(
      SessionModule.forRoot({
        client,
        namespace,
        cookie: { secure: false },
        maxAttributeBytes: 1024,
      }),
    );
  });

  after(async () => {
    await http?.app.close();
    client?.disconnect();
    await valkey?.dispose();
  });

  test('a request that writes nothing sets no cookie and creates no key', async () => {
    const res = await http.request('/cart');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { cart: [] });
    assert.equal(res.headers.get('set-cookie'), null);
    const unknown = await http.request('/cart', { cookie: 'SESSION=not-a-real-token' });
    assert.equal(unknown.headers.get('set-cookie'), null);
    assert.deepEqual(await keysOf(client, namespace), []);
  });

  test('a write creates the session and sets the cookie; the next request reads it', async () => {
    const first = await http.request('/cart/apple', { method: 'POST' });
    assert.equal(first.status, 201);
    const setCookie = first.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^SESSION=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = cookiePair(first) as string;
    const { sessionId } = (await first.json()) as { sessionId: string };

    const second = await http.request('/cart/pear', { method: 'POST', cookie });
    assert.deepEqual(await second.json(), { sessionId, cart: ['apple', 'pear'] });
    assert.equal(second.headers.get('set-cookie'), null, 'a known token is not sent again');

    const read = await http.request('/cart', { cookie });
    assert.deepEqual(await read.json(), { cart: ['apple', 'pear'] });
    const key = `${namespace}:sessions:{${sessionId}}`;
    assert.equal(await client.hget(key, 'a:cart'), '["apple","pear"]');
  });

  test('set() is written before the response is released (read-your-writes)', async () => {
    const put = await http.request('/attr/colour', { method: 'PUT', json: { value: 'teal' } });
    assert.equal(put.status, 200);
    const cookie = cookiePair(put) as string;
    const read = await http.request('/attr/colour', { cookie });
    assert.deepEqual(await read.json(), { value: 'teal', isNew: false });
  });

  test('changeId() sets a new cookie, keeps the data, and the old token no longer resolves', async () => {
    const put = await http.request('/attr/cart', { method: 'PUT', json: { value: ['apple'] } });
    const before = cookiePair(put) as string;
    const login = await http.request('/login', { method: 'POST', cookie: before, json: {} });
    assert.equal(login.status, 201);
    const after = cookiePair(login) as string;
    assert.ok(after && after !== before, 'login hands out a new token');

    assert.deepEqual(await (await http.request('/attr/cart', { cookie: after })).json(), {
      value: ['apple'],
      isNew: false,
    });
    assert.deepEqual(await (await http.request('/attr/user', { cookie: after })).json(), {
      value: 'alice',
      isNew: false,
    });
    assert.deepEqual(await (await http.request('/attr/cart', { cookie: before })).json(), {
      value: null,
      isNew: true,
    });
  });

  test('invalidate() expires the cookie and deletes the key', async () => {
    const login = await http.request('/login', { method: 'POST', json: { user: 'bob' } });
    const cookie = cookiePair(login) as string;
    const { sessionId } = (await login.json()) as { sessionId: string };
    assert.equal(await client.exists(`${namespace}:sessions:{${sessionId}}`), 1);

    const logout = await http.request('/logout', { method: 'POST', cookie });
    assert.equal(logout.status, 204);
    const expired = logout.headers.get('set-cookie') ?? '';
    assert.match(expired, /^SESSION=;/);
    assert.match(expired, /Max-Age=0/);
    assert.equal(await client.exists(`${namespace}:sessions:{${sessionId}}`), 0);
    assert.deepEqual(await (await http.request('/attr/user', { cookie })).json(), {
      value: null,
      isNew: true,
    });
  });

  test('update() from a controller creates the session atomically', async () => {
    const res = await http.request('/cart/kiwi', { method: 'POST' });
    const { sessionId, cart } = (await res.json()) as { sessionId: string; cart: string[] };
    assert.deepEqual(cart, ['kiwi']);
    assert.ok(cookiePair(res));
    assert.equal(
      await client.hget(`${namespace}:sessions:{${sessionId}}`, 'a:cart'),
      JSON.stringify(['kiwi']),
    );
  });

  test('@Res({ passthrough: true }) keeps its status and headers and still gets the cookie', async () => {
    const res = await http.request('/passthrough', { method: 'POST' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-handler'), 'yes');
    const cookie = cookiePair(res) as string;
    assert.ok(cookie);
    const read = await http.request('/attr/via', { cookie });
    assert.deepEqual(await read.json(), { value: 'passthrough', isNew: false });
  });

  test("a thrown HttpException keeps Nest's answer and still commits what the handler wrote", async () => {
    const res = await http.request('/forbidden', { method: 'POST' });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), {
      statusCode: 403,
      message: 'not you',
      error: 'Forbidden',
    });
    const cookie = cookiePair(res) as string;
    assert.ok(cookie, 'the commit ran before the error response left');
    const read = await http.request('/attr/attempted', { cookie });
    assert.deepEqual(await read.json(), { value: true, isNew: false });
  });

  test('guards see the session (it is loaded before them)', async () => {
    assert.equal((await http.request('/guarded')).status, 403);
    const login = await http.request('/login', { method: 'POST', json: { user: 'carol' } });
    const cookie = cookiePair(login) as string;
    const res = await http.request('/guarded', { cookie });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { user: 'carol' });
  });

  test('an oversized attribute is a 413 with the JSON error body, and nothing is stored', async () => {
    const keysBefore = await keysOf(client, namespace);
    const res = await http.request('/attr/big', {
      method: 'PUT',
      json: { value: 'x'.repeat(2_000) },
    });
    assert.equal(res.status, 413);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'SESSION_ATTRIBUTE_TOO_LARGE');
    assert.match(body.error.message, /"big"/);
    assert.equal(res.headers.get('set-cookie'), null);
    assert.deepEqual(await keysOf(client, namespace), keysBefore);
  });

  test('session errors thrown by handlers go through the filter; codes without a status are a 500', async () => {
    const conflict = await http.request('/conflict');
    assert.equal(conflict.status, 409);
    assert.equal(
      ((await conflict.json()) as { error: { code: string } }).error.code,
      'SESSION_UPDATE_CONFLICT',
    );
    const corrupt = await http.request('/corrupt');
    assert.equal(corrupt.status, 500);
    assert.deepEqual(await corrupt.json(), {
      statusCode: 500,
      message: 'Internal server error',
    });
  });
});

describe('Nest adapter (header resolver)', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  let http: TestApp;

  before(async () => {
    valkey = await ValkeyProcess.start();
    client = createValkeyClient({ url: valkey.url, commandTimeoutMs: 300 });
    await waitUntilReady(client);
    http = await startApp(
      SessionModule.forRoot({ client, namespace: freshNamespace(), resolver: 'header' }),
    );
  });

  after(async () => {
    await http?.app.close();
    client?.disconnect();
    await valkey?.dispose();
  });

  test('X-Auth-Token round trip: issued on create and rename, read back, emptied on invalidate', async () => {
    const put = await http.request('/attr/colour', { method: 'PUT', json: { value: 'red' } });
    const token = put.headers.get('x-auth-token') ?? '';
    assert.match(token, /^[\w-]{43}$/);
    assert.equal(put.headers.get('set-cookie'), null);

    const read = await http.request('/attr/colour', { token });
    assert.deepEqual(await read.json(), { value: 'red', isNew: false });
    assert.equal(read.headers.get('x-auth-token'), null, 'a known token is not echoed');

    const login = await http.request('/login', { method: 'POST', token, json: {} });
    const renamed = login.headers.get('x-auth-token') ?? '';
    assert.match(renamed, /^[\w-]{43}$/);
    assert.notEqual(renamed, token);
    assert.deepEqual(await (await http.request('/attr/colour', { token: renamed })).json(), {
      value: 'red',
      isNew: false,
    });

    const logout = await http.request('/logout', { method: 'POST', token: renamed });
    assert.equal(logout.status, 204);
    assert.equal(logout.headers.get('x-auth-token'), '');
    assert.deepEqual(await (await http.request('/attr/colour', { token: renamed })).json(), {
      value: null,
      isNew: true,
    });
  });
});

describe('Nest adapter (store down)', () => {
  let valkey: ValkeyProcess;
  let client: Redis;
  let http: TestApp;

  before(async () => {
    valkey = await ValkeyProcess.start();
    client = createValkeyClient({ url: valkey.url, commandTimeoutMs: 300 });
    await waitUntilReady(client);
    http = await startApp(
      SessionModule.forRoot({ client, namespace: freshNamespace(), cookie: { secure: false } }),
    );
  });

  after(async () => {
    await http?.app.close();
    client?.disconnect();
    await valkey?.dispose();
  });

  test('503 + Retry-After while Valkey is stopped, success again once it is back', async () => {
    const put = await http.request('/attr/colour', { method: 'PUT', json: { value: 'blue' } });
    const cookie = cookiePair(put) as string;
    assert.ok(cookie);

    await valkey.stop();

    // Loading fails in the middleware: Nest's filters answer it.
    const load = await http.request('/attr/colour', { cookie });
    assert.equal(load.status, 503);
    assert.equal(load.headers.get('retry-after'), '1');
    assert.equal(
      ((await load.json()) as { error: { code: string } }).error.code,
      'SESSION_STORE_UNAVAILABLE',
    );
    // Saving fails in the response gate: the handler's 200 is replaced, never sent.
    const save = await http.request('/attr/colour', { method: 'PUT', json: { value: 'green' } });
    assert.equal(save.status, 503);
    assert.equal(save.headers.get('retry-after'), '1');
    assert.equal(save.headers.get('set-cookie'), null);
    assert.equal(
      ((await save.json()) as { error: { code: string } }).error.code,
      'SESSION_STORE_UNAVAILABLE',
    );

    await valkey.restart();
    await eventually(async () => {
      const res = await http.request('/attr/colour', { method: 'PUT', json: { value: 'green' } });
      return res.status === 200 && cookiePair(res) !== undefined;
    });
    const again = await http.request('/attr/colour', { method: 'PUT', json: { value: 'violet' } });
    const read = await http.request('/attr/colour', { cookie: cookiePair(again) as string });
    assert.deepEqual(await read.json(), { value: 'violet', isNew: false });
  });
});

describe('Nest adapter (module wiring and shutdown)', () => {
  let valkey: ValkeyProcess;

  before(async () => {
    valkey = await ValkeyProcess.start();
  });

  after(async () => {
    await valkey?.dispose();
  });

  test('forRootAsync() takes its options from a factory; app.close() quits the client it created', async () => {
    @Module({ providers: [{ provide: VALKEY_URL, useValue: valkey.url }], exports: [VALKEY_URL] })
    class ConfigLikeModule {}

    const namespace = freshNamespace();
    const http = await startApp(
      SessionModule.forRootAsync({
        imports: [ConfigLikeModule],
        inject: [VALKEY_URL],
        useFactory: async (url: string) => ({
          valkey: { url },
          namespace,
          cookie: { secure: false },
        }),
      }),
      [DemoController, ReadinessController],
    );
    let closed = false;
    try {
      const manager = http.app.get(SessionManager);
      assert.equal(manager.options.namespace, namespace);
      await waitUntilReady(manager.client as Redis);
      assert.deepEqual(await (await http.request('/readyz')).json(), { ready: true });

      const put = await http.request('/attr/colour', { method: 'PUT', json: { value: 'amber' } });
      const read = await http.request('/attr/colour', { cookie: cookiePair(put) as string });
      assert.deepEqual(await read.json(), { value: 'amber', isNew: false });

      await http.app.close();
      closed = true;
      assert.equal(manager.client.status, 'end');
    } finally {
      if (!closed) await http.app.close();
    }
  });

  test('indexed mode: app.close() stops its subscriber, event consumer and sweep; no connection is left', async () => {
    const admin = createValkeyClient({ url: valkey.url, commandTimeoutMs: 300 });
    try {
      await waitUntilReady(admin);
      const http = await startApp(
        SessionModule.forRoot({
          valkey: { url: valkey.url, connectionName: 'nest-indexed' },
          namespace: freshNamespace(),
          indexed: { configureAction: 'none' },
        }),
      );
      const manager = http.app.get(SessionManager);
      manager.events.on('created', () => {});
      await manager.ready();
      await eventually(async () => ((await admin.client('LIST')) as string).includes(':events'));
      await http.app.close();
      const list = (await admin.client('LIST')) as string;
      assert.equal(list.trim().split('\n').length, 1, `still connected:\n${list}`);
    } finally {
      admin.disconnect();
    }
  });

  test('app.close() leaves a client the application passed in open', async () => {
    const client = createValkeyClient({ url: valkey.url, commandTimeoutMs: 300 });
    try {
      await waitUntilReady(client);
      const http = await startApp(SessionModule.forRoot({ client, namespace: freshNamespace() }));
      assert.equal(http.app.get(SessionManager).client, client);
      await http.app.close();
      assert.equal(client.status, 'ready');
      assert.equal(await client.ping(), 'PONG');
    } finally {
      client.disconnect();
    }
  });

  test('app.close() does not hang when the client it created cannot reach Valkey', async () => {
    const nobody = await freePort();
    const logger = new RecordingLogger();
    const http = await startApp(
      SessionModule.forRoot({ valkey: { url: `redis://127.0.0.1:${nobody}` }, logger }),
    );
    const client = http.app.get(SessionManager).client;
    await eventually(async () => client.status === 'reconnecting');
    const started = Date.now();
    await http.app.close();
    assert.ok(Date.now() - started < 1_000, 'closed promptly');
    assert.equal(
      logger.warnings.length,
      1,
      'one warning per outage, not one per reconnect attempt',
    );
  });

  test('giving both client and valkey fails at start-up, naming the option', async () => {
    const client = createValkeyClient({ url: valkey.url, commandTimeoutMs: 300 });
    try {
      await assert.rejects(
        startApp(SessionModule.forRoot({ client, valkey: { url: valkey.url } })),
        (err: unknown) => err instanceof SessionOptionsInvalidError && err.option === 'valkey',
      );
    } finally {
      client.disconnect();
    }
  });

  test('invalid options fail at start-up and disconnect the client the module created', async () => {
    const before = await listClients(valkey);
    await assert.rejects(
      startApp(SessionModule.forRoot({ valkey: { url: valkey.url }, namespace: 'no spaces' })),
      (err: unknown) => err instanceof SessionOptionsInvalidError && err.option === 'namespace',
    );
    await eventually(async () => (await listClients(valkey)) === before);
  });
});

/** How many clients the server has, counted from a throw-away connection. */
async function listClients(valkey: ValkeyProcess): Promise<number> {
  const probe = createValkeyClient({ url: valkey.url });
  try {
    await waitUntilReady(probe);
    const list = (await probe.client('LIST')) as string;
    return list.trim().split('\n').length - 1; // not counting the probe itself
  } finally {
    probe.disconnect();
  }
}
