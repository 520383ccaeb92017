import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Readiness, ServiceMetrics, requestLogging } from '@baton/service-kit';
import { webRoot as builtWebRoot } from '@baton/web';
import type { GatewayConfig } from './config.js';
import { crossSiteGuard } from './csrf/cross-site-guard.js';
import { errorHandler, notFound } from './http/json-error.js';
import { SessionTokenTransport } from './proxy/session-token-transport.js';
import { upstreamProxy } from './proxy/upstream-proxy.js';
import { staticUi } from './ui/static-ui.js';

export interface GatewayDeps {
  /** Checked by `/readyz`; the gateway loads no sessions itself (the services do). */
  valkey: Redis;
  logger: Logger;
  /** Pass the one `serve()` drains on SIGTERM; made here when omitted (tests). */
  readiness?: Readiness;
  /** Folder holding the built shop UI. @default the `dist/` of `@baton/web` */
  webRoot?: string;
}

/**
 * The edge of the platform: serves the shop UI and forwards the cart and account APIs to their
 * services (through nginx's internal listeners), translating the session cookie to the
 * `X-Auth-Token` header every internal hop uses. No side effects until the app is listened on.
 */
export function createApp(config: GatewayConfig, deps: GatewayDeps): Express {
  const readiness = deps.readiness ?? new Readiness(deps.valkey);
  const metrics = new ServiceMetrics(config.INSTANCE_ID);
  const transport = new SessionTokenTransport({ cookieSecure: config.COOKIE_SECURE });
  const proxyTo = (name: string, target: string) =>
    upstreamProxy({
      name,
      target,
      instanceId: config.INSTANCE_ID,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      transport,
    });
  const cart = proxyTo('cart', config.CART_URL);
  const account = proxyTo('account', config.ACCOUNT_URL);

  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(deps.logger));
  app.use((_req, res, next) => {
    // Proxied responses replace it with `gateway-1, cart-2`.
    res.setHeader('X-Served-By', config.INSTANCE_ID);
    next();
  });
  app.use(metrics.httpMiddleware());
  app.use(readiness.routes());
  app.get('/metrics', metrics.handler());

  app.use(crossSiteGuard());
  // Bodies are streamed to the services untouched: no body parser runs before the proxies.
  app.all('/cart{/*rest}', cart);
  app.all('/api/cart{/*rest}', cart);
  app.all('/api/catalog{/*rest}', cart);
  app.all('/api/account{/*rest}', account);

  app.use(staticUi(deps.webRoot ?? builtWebRoot));
  app.use(notFound());
  app.use(errorHandler());
  return app;
}
