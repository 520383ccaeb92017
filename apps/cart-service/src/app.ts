import express, { type Express, type RequestHandler } from 'express';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { session, sessionErrorHandler } from '@baton/session/express';
import {
  Readiness,
  ServiceMetrics,
  StoreBreaker,
  requestLogging,
  servedBy,
  sessionOptionsFrom,
  storeBreakerGate,
  storeBreakerObserver,
  type Tracing,
} from '@baton/service-kit';
import { cartChangesChannel } from './cart/cart-changes.js';
import { cartRoutes } from './cart/routes.js';
import { cartAttributeSchema } from './cart/cart-versions.js';
import { DEFAULT_LINE_FORMAT } from './cart/line-format.js';
import { savedRoutes } from './cart/saved-routes.js';
import { demoRoutes } from './cart/demo-routes.js';
import { CART_ATTRIBUTE } from './cart/session-cart.js';
import { Catalog } from './catalog/catalog.js';
import { catalogRoutes } from './catalog/routes.js';
import { type CartConfig, cartVersionOf } from './config.js';
import { jsonErrors, notFound } from './http/error-handler.js';
import { jsonBody } from './http/json-body.js';

export interface CartAppDeps {
  /** The Valkey connection sessions live on (see `valkeyClientFrom`). The caller owns and closes it. */
  valkey: Redis | Cluster;
  logger: Logger;
  /** Pass the one `serve()` drains on SIGTERM; made here when omitted (tests). */
  readiness?: Readiness;
  /** From runService when OTEL_EXPORTER_OTLP_ENDPOINT is set: session steps become spans. */
  tracing?: Tracing;
  /** The products; the demo fruit stand when omitted. */
  catalog?: Catalog;
  /**
   * Registers the cart's attribute schema (cart-versions.ts) with the session layer. Only the
   * schema-evolution lab turns it off, to show what a mixed-version fleet loses without it.
   * @default true
   */
  cartSchema?: boolean;
}

/**
 * The cart service as an Express app, with no side effects (it does not listen or connect).
 *
 * The session middleware is mounted on the cart routes only: `/api/catalog`, `/healthz`,
 * `/readyz` and `/metrics` never touch the session store, so they keep answering while Valkey is
 * down. Tokens arrive in `X-Auth-Token` from the gateway (header resolver); a new session's token
 * goes back in the same response header. Every cart change publishes the session's public id on
 * `<namespace>:cart-changes` for the gateways' live views, from inside its compare-and-set script.
 */
export function createApp(config: CartConfig, deps: CartAppDeps): Express {
  const { logger } = deps;
  const metrics = new ServiceMetrics(config.INSTANCE_ID);
  const readiness = deps.readiness ?? new Readiness(deps.valkey);
  metrics.trackReadiness(readiness);
  const catalog = deps.catalog ?? new Catalog();
  const version = cartVersionOf(config);
  const lineFormat = config.CART_LINE_FORMAT ?? DEFAULT_LINE_FORMAT;
  // A stalled store answers 503 at once instead of after every command timeout (service-kit's
  // StoreBreaker).
  const breaker = new StoreBreaker(() => deps.valkey.ping());
  const loadSession = session({
    ...sessionOptionsFrom(config, deps.valkey, 'header', logger, metrics, deps.tracing),
    ...(deps.cartSchema === false
      ? {}
      : { attributes: { [CART_ATTRIBUTE]: cartAttributeSchema(version) } }),
  });
  const gate = storeBreakerGate(breaker);
  const withSession: RequestHandler = (req, res, next) =>
    gate(req, res, (err?: unknown) => (err ? next(err) : loadSession(req, res, next)));
  const changesChannel = cartChangesChannel(config.SESSION_NAMESPACE);

  const identity = { instance: config.INSTANCE_ID, version: config.BUILD_VERSION };
  const app = express();
  app.disable('x-powered-by');
  app.use(servedBy(identity));
  app.use(requestLogging(logger));
  app.use(metrics.httpMiddleware());
  app.use(readiness.routes(identity));
  app.get('/metrics', metrics.handler());
  app.use(jsonBody());
  app.use(catalogRoutes(catalog, config.INSTANCE_ID));
  const model = { version, lineFormat };
  app.use(demoRoutes(catalog, config.INSTANCE_ID, withSession, changesChannel, model));
  app.use(cartRoutes(catalog, config.INSTANCE_ID, withSession, changesChannel, model));
  if (version === 2) {
    app.use(savedRoutes(catalog, config.INSTANCE_ID, withSession, changesChannel, lineFormat));
  }
  app.use(notFound());
  app.use(storeBreakerObserver(breaker));
  app.use(sessionErrorHandler());
  app.use(jsonErrors(logger));
  return app;
}
