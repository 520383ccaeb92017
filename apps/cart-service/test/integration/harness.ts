import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach } from 'node:test';
import type { Redis } from 'ioredis';
import { ATTRIBUTE_PREFIX, createValkeyClient, waitUntilReady } from '@baton/session';
import { createHttpServer, createLogger, loadConfig } from '@baton/service-kit';
import { ValkeyProcess } from '@baton/valkey-testing';
import { type CartAppDeps, createApp } from '../../src/app.js';
import { CART_ATTRIBUTE } from '../../src/cart/session-cart.js';
import { type CartConfig, cartEnvSchema } from '../../src/config.js';

/** One cart-service replica, in-process, on a free loopback port. */
export interface CartInstance {
  readonly instanceId: string;
  readonly base: string;
  readonly config: CartConfig;
  /** The replica's own Valkey connection, as in production (one per process). */
  readonly valkey: Redis;
  close(): Promise<void>;
}

/**
 * `env` adds to (or overrides) the variables below, e.g. `SESSION_DURABLE_WRITES_REPLICAS`;
 * `deps` to what `createApp` gets (`cartSchema`).
 */
export async function startCart(
  valkeyUrl: string,
  instanceId: string,
  env: Record<string, string> = {},
  deps: Pick<CartAppDeps, 'cartSchema'> = {},
): Promise<CartInstance> {
  const config = loadConfig(cartEnvSchema, {
    INSTANCE_ID: instanceId,
    PORT: '1',
    HOST: '127.0.0.1',
    VALKEY_URL: valkeyUrl,
    VALKEY_COMMAND_TIMEOUT_MS: '300',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const valkey = createValkeyClient({
    url: valkeyUrl,
    commandTimeoutMs: config.VALKEY_COMMAND_TIMEOUT_MS,
  });
  // The reconnect loop while a test has stopped Valkey emits errors; main.ts logs them.
  valkey.on('error', () => undefined);
  await waitUntilReady(valkey);
  const app = createApp(config, { valkey, logger: createLogger(instanceId, 'silent'), ...deps });
  const server: Server = await new Promise((resolve) => {
    // The production server (header cap, JSON for requests Node's parser refuses), not app.listen.
    const s = createHttpServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    instanceId,
    config,
    valkey,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      valkey.disconnect();
    },
  };
}

/** Two replicas sharing one Valkey: what a load balancer bounces a shopper between. */
export interface ReplicaPair {
  readonly cart1: CartInstance;
  readonly cart2: CartInstance;
}

/**
 * Registers hooks on the enclosing `describe`: a fresh Valkey with `cart-1` and `cart-2` on it
 * before its tests, an empty store before each test, everything stopped after. The fields are set
 * once `before` has run, so read them inside tests.
 */
export function twoReplicasOnOneValkey(): ReplicaPair {
  let valkey: ValkeyProcess | undefined;
  const pair = {} as { cart1: CartInstance; cart2: CartInstance };
  before(async () => {
    valkey = await ValkeyProcess.start();
    pair.cart1 = await startCart(valkey.url, 'cart-1');
    pair.cart2 = await startCart(valkey.url, 'cart-2');
  });
  after(async () => {
    await pair.cart1?.close();
    await pair.cart2?.close();
    await valkey?.dispose();
  });
  beforeEach(async () => {
    await pair.cart1.valkey.flushall();
  });
  return pair;
}

export interface Reply {
  status: number;
  headers: Headers;
  // Tests assert on arbitrary JSON shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface SendOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  raw?: string;
  contentType?: string;
  /** The replica to send to; otherwise the next one in round-robin order. */
  via?: CartInstance;
  /** Send without the session token even if this shopper holds one. */
  anonymous?: boolean;
  /** Extra request headers (`Idempotency-Key`, …). */
  headers?: Record<string, string>;
}

/**
 * A client behind the gateway: it sends its session token as `X-Auth-Token` (as the gateway does
 * on every internal hop), adopts the token a response hands out, and spreads its requests
 * round-robin over the replicas it is given, like nginx without stickiness.
 */
export class Shopper {
  token: string | undefined;
  private turn = 0;

  constructor(private readonly replicas: readonly CartInstance[]) {}

  async send(method: string, path: string, options: SendOptions = {}): Promise<Reply> {
    const replica =
      options.via ?? (this.replicas[this.turn++ % this.replicas.length] as CartInstance);
    const headers: Record<string, string> = { ...options.headers };
    if (this.token !== undefined && !options.anonymous) headers['x-auth-token'] = this.token;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.raw !== undefined) {
      body = options.raw;
      if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    }
    const res = await fetch(replica.base + path, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const issued = res.headers.get('x-auth-token');
    if (issued !== null && !options.anonymous) this.token = issued || undefined;
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }
}

/** Every session hash in the replica's namespace (not the keyed writes' records beside them). */
export async function sessionKeys(instance: CartInstance): Promise<string[]> {
  const keys = await instance.valkey.keys(`${instance.config.SESSION_NAMESPACE}:*`);
  return keys.filter((key) => key.endsWith('}'));
}

/** The records of keyed writes (`<session key>:r:<Idempotency-Key>`) in the replica's namespace. */
export async function recordKeys(instance: CartInstance): Promise<string[]> {
  return instance.valkey.keys(`${instance.config.SESSION_NAMESPACE}:*}:r:*`);
}

/** The raw JSON Valkey holds for the cart attribute of the only session in the store. */
export async function storedCartJson(instance: CartInstance): Promise<string | null> {
  const keys = await sessionKeys(instance);
  if (keys.length !== 1) throw new Error(`expected one session key, found ${keys.length}`);
  return instance.valkey.hget(keys[0] as string, ATTRIBUTE_PREFIX + CART_ATTRIBUTE);
}

/** Polls `probe` until it returns true or `timeoutMs` passes. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
