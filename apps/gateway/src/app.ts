import express, { type Express } from 'express';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SessionManager } from '@baton/session';
import {
  type BuiltService,
  Readiness,
  ServiceMetrics,
  type UpgradeListener,
  requestLogging,
  servedBy,
  sessionOptionsFrom,
  type Tracing,
} from '@baton/service-kit';
import { webRoot as builtWebRoot } from '@baton/web';
import type { GatewayConfig } from './config.js';
import { crossSiteGuard } from './csrf/cross-site-guard.js';
import { FLEET_PATH, FleetFeed } from './fleet/fleet-feed.js';
import { errorHandler, notFound } from './http/json-error.js';
import { securityHeaders } from './http/security-headers.js';
import { LiveUpdates } from './live/live-updates.js';
import { idempotentWriteProxy } from './proxy/idempotent-write-proxy.js';
import { SessionTokenTransport } from './proxy/session-token-transport.js';
import { createUpstream, upstreamProxy } from './proxy/upstream-proxy.js';
import { staticUi } from './ui/static-ui.js';

/** A cart write body is a sku and a number (cart-service refuses over 16 kB); held to resend it. */
const CART_WRITE_BODY_LIMIT = 64 * 1024;
/** Long enough for nginx to pick the other replica, short beside a click. */
const CART_WRITE_RETRY_DELAY_MS = 100;

export interface GatewayDeps {
  /**
   * Checked by `/readyz`, and the connection `/ws` loads sessions and reads session events on.
   * HTTP requests never load a session here (the services do). The caller owns and closes it.
   */
  valkey: Redis | Cluster;
  logger: Logger;
  /** Pass the one `serve()` drains on SIGTERM; made here when omitted (tests). */
  readiness?: Readiness;
  /** From runService when OTEL_EXPORTER_OTLP_ENDPOINT is set: upstream calls carry `traceparent`. */
  tracing?: Tracing;
  /** Folder holding the built shop UI. @default the `dist/` of `@baton/web` */
  webRoot?: string;
  /** `/ws` ping interval. @default 25_000 */
  heartbeatMs?: number;
}

/** The gateway as service-kit's `runService` serves it: HTTP, the `/ws` upgrade and shutdown. */
export interface GatewayApp extends BuiltService {
  handler: Express;
  onUpgrade: UpgradeListener;
  /** Resolves once `/ws` is subscribed to cart changes and reads session events. */
  ready(): Promise<void>;
  /** SIGTERM: closes every WebSocket with 1001 so clients reconnect to another gateway. */
  drain(): void;
  /**
   * Closes the WebSockets (1001), the upstream connection pools and the session events; leaves
   * `deps.valkey` open.
   */
  close(): Promise<void>;
}

/**
 * The edge of the platform: serves the shop UI and forwards the cart and account APIs to their
 * services (through nginx's internal listeners), translating the session cookie to the
 * `X-Auth-Token` header every internal hop uses, and pushes live cart changes and session
 * endings over `/ws`. No side effects at import; calling it subscribes to cart changes and
 * session events on `deps.valkey`, which `close()` stops.
 */
export function createApp(config: GatewayConfig, deps: GatewayDeps): GatewayApp {
  const readiness = deps.readiness ?? new Readiness(deps.valkey);
  const metrics = new ServiceMetrics(config.INSTANCE_ID);
  metrics.trackReadiness(readiness);
  // Loads sessions for /ws only, read-only. A consumer group of its own (its INSTANCE_ID), so
  // this gateway sees every deleted/expired event, not a share of them: any gateway may hold a
  // socket of the session that ended.
  const manager = new SessionManager({
    ...sessionOptionsFrom(config, deps.valkey, 'composite', deps.logger, metrics, deps.tracing),
    indexed: { group: config.INSTANCE_ID, configureAction: config.VALKEY_CONFIGURE_ACTION },
  });
  // What both sockets (/ws and /ws/fleet) need.
  const sockets = {
    instanceId: config.INSTANCE_ID,
    version: config.BUILD_VERSION,
    manager,
    valkey: deps.valkey,
    namespace: config.SESSION_NAMESPACE,
    logger: deps.logger,
    readiness,
  };
  const live = new LiveUpdates({
    ...sockets,
    registry: metrics.registry,
    heartbeatMs: deps.heartbeatMs,
  });
  const fleet = new FleetFeed(sockets);
  const transport = new SessionTokenTransport({ cookieSecure: config.COOKIE_SECURE });
  const upstream = (name: string, target: string) =>
    createUpstream({
      name,
      target,
      instanceId: config.INSTANCE_ID,
      version: config.BUILD_VERSION,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      transport,
      injectTrace: deps.tracing?.inject,
    });
  const cartUpstream = upstream('cart', config.CART_URL);
  const accountUpstream = upstream('account', config.ACCOUNT_URL);
  const cart = upstreamProxy(cartUpstream);
  // Cart writes carry an Idempotency-Key (added when the client sent none) and are sent once more
  // when the internal listener loses the replica mid-request; see idempotent-write-proxy.ts.
  const cartWrites = idempotentWriteProxy(cartUpstream, {
    name: 'cart',
    maxBodyBytes: CART_WRITE_BODY_LIMIT,
    retryDelayMs: CART_WRITE_RETRY_DELAY_MS,
  });
  const account = upstreamProxy(accountUpstream);

  const identity = { instance: config.INSTANCE_ID, version: config.BUILD_VERSION };
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(deps.logger));
  // Proxied responses replace both with `gateway-1, cart-2` and `<gateway's>, <cart's>`.
  app.use(servedBy(identity));
  app.use(securityHeaders({ hsts: config.COOKIE_SECURE }));
  app.use(metrics.httpMiddleware());
  app.use(readiness.routes(identity));
  app.get('/metrics', metrics.handler());

  app.use(crossSiteGuard());
  // Bodies reach the services byte for byte: no body parser runs before the proxies (cart writes
  // are held in memory to be sent again, never parsed).
  app.all('/cart{/*rest}', cartWrites);
  app.all('/api/cart{/*rest}', cartWrites);
  app.all('/api/catalog{/*rest}', cart);
  app.all('/api/account{/*rest}', account);

  app.use(staticUi(deps.webRoot ?? builtWebRoot));
  app.use(notFound());
  app.use(errorHandler());
  return {
    handler: app,
    onUpgrade: (req, socket, head) =>
      (req.url?.split('?')[0] === FLEET_PATH ? fleet.handleUpgrade : live.handleUpgrade)(
        req,
        socket,
        head,
      ),
    ready: () => live.ready(),
    drain: () => {
      live.drain();
      fleet.drain();
    },
    async close() {
      await Promise.all([
        live.close(),
        fleet.close(),
        cartUpstream.close(),
        accountUpstream.close(),
      ]);
      await manager.close();
    },
  };
}
