import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { after, before } from 'node:test';
import type { Redis } from 'ioredis';
import { SessionManager, createValkeyClient, waitUntilReady } from '@baton/session';
import { createLogger, loadConfig, serviceEnvSchema, valkeyClientFrom } from '@baton/service-kit';
import { ValkeyProcess, type ValkeyProcessOptions } from '@baton/valkey-testing';
import { createApp as createCartApp } from '@baton/cart-service/app';
import { FakeUpstream } from './fake-upstream.js';
import { type Answer, type GatewayUnderTest, request, startGateway } from './harness.js';
import { TestSocket } from './ws-client.js';

/** The namespace every app uses by default (SESSION_NAMESPACE). */
export const NAMESPACE = 'myplatform:sessions';

/** Something between the gateway and the real cart (a relay that loses answers). */
export interface CartFront {
  readonly url: string;
  stop(): Promise<void>;
}

export interface GatewayRigOptions {
  /**
   * `fake` (default): a {@link FakeUpstream} `cart-1` that records every request. `real`:
   * apps/cart-service in-process (`cart-1`) on the rig's Valkey, as the platform runs it.
   */
  readonly cart?: 'fake' | 'real';
  /** Only with the real cart: where its logger writes (at `info`); silent otherwise. */
  readonly cartLog?: Writable;
  /** Only with the real cart: put this in front of it, and point the gateways at it. */
  readonly cartFront?: (cartUrl: string) => Promise<CartFront>;
  /** One entry per gateway (`gateway-1`, `gateway-2`, …): what its env adds. @default [{}] */
  readonly gateways?: readonly Record<string, string>[];
  readonly valkey?: ValkeyProcessOptions;
  /**
   * What account-service does to sessions (login with a principal, logout), for `signIn` and
   * `logout`: a session manager in indexed mode on the rig's Valkey. Off when undefined.
   */
  readonly accounts?: { readonly maxSessionsPerPrincipal?: number };
  /** The gateways' `/ws` ping interval. @default the gateway's own */
  readonly heartbeatMs?: number;
}

/** What the rig's tests get; set once the `before` hook ran, so read the fields inside tests. */
export interface GatewayRig {
  readonly valkey: ValkeyProcess;
  /** The first gateway (`gateway-1`). */
  readonly gateway: GatewayUnderTest;
  readonly gateways: readonly GatewayUnderTest[];
  /** The fake cart; undefined with the real one. */
  readonly cart: FakeUpstream;
  /** A fake account-service (`account-1`). */
  readonly account: FakeUpstream;
  /** What the gateways run with (Valkey, cart and account URLs), to start one more by hand. */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /** The session manager behind `signIn` (with `accounts` only): revoke, open, index. */
  readonly accounts: SessionManager;
  /** A session signed in as `principal`, written the way account-service's login writes it. */
  signIn(principal: string, maxInactiveMs?: number): Promise<string>;
  /** Signs the session out the way account-service's logout does. */
  logout(token: string): Promise<void>;
  /** A socket as the shop page opens it: same origin, the SESSION cookie (when it has one). */
  socket(gateway: GatewayUnderTest, token?: string): TestSocket;
  /** Terminates `socket` after the tests, like the rig's own. */
  track(socket: TestSocket): TestSocket;
  /** `POST /api/cart/items {sku, qty: 1}` through `gateway`, as the shop page sends it. */
  addToCart(gateway: GatewayUnderTest, token: string | undefined, sku: string): Promise<Answer>;
}

/**
 * The gateway's one test fixture. Registers hooks on the enclosing `describe`: a fresh Valkey, a
 * fake or the real cart, a fake account-service and the gateways in front of them before its
 * tests, and every one of them (sockets included) stopped after.
 */
export function gatewayRig(options: GatewayRigOptions = {}): GatewayRig {
  const rig = {} as {
    valkey: ValkeyProcess;
    gateway: GatewayUnderTest;
    gateways: GatewayUnderTest[];
    cart: FakeUpstream;
    account: FakeUpstream;
    gatewayEnv: Record<string, string>;
    accounts: SessionManager;
  };
  const stops: (() => Promise<void> | void)[] = [];
  const sockets: TestSocket[] = [];

  before(async () => {
    rig.valkey = await ValkeyProcess.start(options.valkey);
    stops.push(() => rig.valkey.dispose());
    let cartUrl: string;
    if (options.cart === 'real') {
      cartUrl = await startRealCart(rig.valkey.url, options.cartLog, stops);
      if (options.cartFront) {
        const front = await options.cartFront(cartUrl);
        stops.push(() => front.stop());
        cartUrl = front.url;
      }
    } else {
      rig.cart = await FakeUpstream.start('cart-1');
      stops.push(() => rig.cart.stop());
      cartUrl = rig.cart.url;
    }
    rig.account = await FakeUpstream.start('account-1');
    stops.push(() => rig.account.stop());
    rig.gatewayEnv = {
      VALKEY_URL: rig.valkey.url,
      CART_URL: cartUrl,
      ACCOUNT_URL: rig.account.url,
    };
    rig.gateways = [];
    const deps = options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs };
    for (const [i, env] of (options.gateways ?? [{}]).entries()) {
      const gateway = await startGateway(
        { INSTANCE_ID: `gateway-${i + 1}`, ...rig.gatewayEnv, ...env },
        deps,
      );
      stops.push(() => gateway.close());
      rig.gateways.push(gateway);
    }
    rig.gateway = rig.gateways[0]!;
    if (options.accounts) {
      const client = createValkeyClient({ url: rig.valkey.url });
      client.on('error', () => {}); // the outage test stops Valkey on purpose
      stops.push(() => client.disconnect());
      await waitUntilReady(client);
      const accounts = new SessionManager({
        client,
        namespace: NAMESPACE,
        resolver: 'header',
        indexed: { group: 'account-service', ...options.accounts },
      });
      stops.push(() => accounts.close());
      await accounts.ready();
      rig.accounts = accounts;
    }
  });

  after(async () => {
    sockets.forEach((socket) => socket.terminate());
    for (const stop of stops.reverse()) await stop();
  });

  const manager = (): SessionManager => {
    if (!rig.accounts) throw new Error('gatewayRig: pass `accounts` to sign users in');
    return rig.accounts;
  };
  const track = (socket: TestSocket): TestSocket => {
    sockets.push(socket);
    return socket;
  };
  return Object.assign(rig, {
    track,
    async signIn(principal: string, maxInactiveMs?: number) {
      const opened = await manager().open({ headers: {} });
      opened.session.set('user', { username: principal, displayName: principal, loggedInAt: '' });
      opened.session.setPrincipal(principal);
      if (maxInactiveMs !== undefined) opened.session.maxInactiveIntervalMs = maxInactiveMs;
      return commit(opened);
    },
    async logout(token: string) {
      const opened = await manager().open({ headers: { 'x-auth-token': token } });
      opened.session.invalidate();
      await commit(opened);
    },
    socket(gateway: GatewayUnderTest, token?: string) {
      const headers: Record<string, string> = { origin: gateway.url };
      if (token !== undefined) headers.cookie = `theme=dark; SESSION=${token}`;
      return track(new TestSocket(`ws://127.0.0.1:${gateway.port}/ws`, headers));
    },
    addToCart(gateway: GatewayUnderTest, token: string | undefined, sku: string) {
      return request(gateway.url, 'POST', '/api/cart/items', {
        headers: {
          'content-type': 'application/json',
          origin: gateway.url,
          ...(token !== undefined ? { cookie: `SESSION=${token}` } : {}),
        },
        body: JSON.stringify({ sku, qty: 1 }),
      });
    },
  });
}

/** @private Commits a session the way an adapter does; resolves the token it set. */
async function commit(opened: Awaited<ReturnType<SessionManager['open']>>): Promise<string> {
  const headers = new Map<string, string>();
  await opened.commit({
    getHeader: (name) => headers.get(name.toLowerCase()),
    setHeader: (name, value) => headers.set(name.toLowerCase(), String(value)),
  });
  return headers.get('x-auth-token') ?? '';
}

/**
 * @private apps/cart-service in-process as `cart-1`, with the production client and its outage
 * logging; resolves its URL and registers its stop.
 */
async function startRealCart(
  valkeyUrl: string,
  log: Writable | undefined,
  stops: (() => Promise<void> | void)[],
): Promise<string> {
  const config = loadConfig(serviceEnvSchema, {
    INSTANCE_ID: 'cart-1',
    PORT: '1',
    VALKEY_URL: valkeyUrl,
    LOG_LEVEL: log ? 'info' : 'silent',
  });
  const logger = createLogger('cart-1', config.LOG_LEVEL, log);
  const valkey: Redis = valkeyClientFrom(config, logger);
  valkey.on('error', () => {}); // logged once per outage by valkeyClientFrom
  stops.push(() => valkey.disconnect());
  await waitUntilReady(valkey);
  const server: Server = await new Promise((resolve) => {
    const s = createServer(createCartApp(config, { valkey, logger })).listen(0, '127.0.0.1', () =>
      resolve(s),
    );
  });
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
