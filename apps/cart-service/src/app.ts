import express, { type Express } from 'express';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { session, sessionErrorHandler } from '@baton/session/express';
import {
  Readiness,
  ServiceMetrics,
  requestLogging,
  servedBy,
  sessionOptionsFrom,
  type Tracing,
} from '@baton/service-kit';
import { CartChangePublisher } from './cart/cart-changes.js';
import { cartRoutes } from './cart/routes.js';
import { demoRoutes } from './cart/demo-routes.js';
import { Catalog } from './catalog/catalog.js';
import { catalogRoutes } from './catalog/routes.js';
import type { CartConfig } from './config.js';
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
}

/**
 * The cart service as an Express app, with no side effects (it does not listen or connect).
 *
 * The session middleware is mounted on the cart routes only: `/api/catalog`, `/healthz`,
 * `/readyz` and `/metrics` never touch the session store, so they keep answering while Valkey is
 * down. Tokens arrive in `X-Auth-Token` from the gateway (header resolver); a new session's token
 * goes back in the same response header. After every cart change it publishes the session's
 * public id on `<namespace>:cart-changes` for the gateways' live views.
 */
export function createApp(config: CartConfig, deps: CartAppDeps): Express {
  const { logger } = deps;
  const metrics = new ServiceMetrics(config.INSTANCE_ID);
  const readiness = deps.readiness ?? new Readiness(deps.valkey);
  metrics.trackReadiness(readiness);
  const catalog = deps.catalog ?? new Catalog();
  const withSession = session(
    sessionOptionsFrom(config, deps.valkey, 'header', logger, metrics, deps.tracing),
  );
  const changes = new CartChangePublisher(deps.valkey, config.SESSION_NAMESPACE, logger);

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
  app.use(demoRoutes(catalog, config.INSTANCE_ID, withSession, changes));
  app.use(cartRoutes(catalog, config.INSTANCE_ID, withSession, changes));
  app.use(notFound());
  app.use(sessionErrorHandler());
  app.use(jsonErrors(logger));
  return app;
}
