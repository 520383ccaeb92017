import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  Readiness,
  ServiceMetrics,
  StoreBreaker,
  requestLogging,
  servedBy,
  sessionOptionsFrom,
  storeBreakerGate,
  type Tracing,
} from '@baton/service-kit';
import { AppModule } from './app.module.js';
import type { AccountConfig } from './config.js';
import { JsonExceptionFilter } from './http/json-exception.filter.js';
import { jsonBody } from './http/json-body.js';
import { PinoNestLogger } from './http/nest-logger.js';
import { LoginThrottle } from './login-throttle/login-throttle.js';
import { DEMO_USERS } from './users/demo-users.js';

export interface AccountAppDeps {
  /** The Valkey connection sessions live on (see `valkeyClientFrom`). The caller owns and closes it. */
  valkey: Redis | Cluster;
  logger: Logger;
  /** Pass the one `serve()` drains on SIGTERM; made here when omitted (tests). */
  readiness?: Readiness;
  /** From runService when OTEL_EXPORTER_OTLP_ENDPOINT is set: session steps become spans. */
  tracing?: Tracing;
}

/**
 * The account service as an initialised Nest application that does not listen: `main` hands
 * `app.getHttpAdapter().getInstance()` to service-kit's `serve()`, tests to a server of their own.
 *
 * Request path, in Express order: `X-Served-By`, request log, metrics, then `/healthz`, `/readyz`
 * and `/metrics` (plain Express, before Nest, so they never touch the session store and keep
 * answering while Valkey is down), the JSON body parser, the store breaker's gate, and then Nest:
 * the session middleware (header resolver: the gateway passes the token in `X-Auth-Token`), the
 * account routes, Nest's 404, and {@link JsonExceptionFilter} for every error.
 *
 * The store breaker (service-kit's `StoreBreaker`, the same as cart-service's): once a request met
 * `SESSION_STORE_UNAVAILABLE`, every request that reaches Nest answers that 503 + Retry-After at
 * once instead of waiting out the command timeout, until a PING answers. Every Nest route needs
 * the store (`SessionModule` loads the session for all of them), so the gate sits in front of all
 * of Nest. It is Express middleware on the Express instance, not a Nest middleware, because it
 * must run before `SessionModule`'s middleware, and Nest mounts a global module's middleware first,
 * in the order the modules are configured; here the order is the one the code reads. The breaker
 * learns of store failures in the exception filter, which every error of the app passes.
 */
export async function createApp(
  config: AccountConfig,
  deps: AccountAppDeps,
): Promise<INestApplication> {
  const { logger } = deps;
  const metrics = new ServiceMetrics(config.INSTANCE_ID);
  const readiness = deps.readiness ?? new Readiness(deps.valkey);
  metrics.trackReadiness(readiness);
  // Indexed mode: the principal index behind "your sessions", the per-user limit, and the
  // session events the gateways turn into closed WebSockets. This service listens to no event;
  // its group only has to exist and differ from every other service's.
  const session = {
    ...sessionOptionsFrom(config, deps.valkey, 'header', logger, metrics, deps.tracing),
    indexed: {
      maxSessionsPerPrincipal: config.MAX_SESSIONS_PER_USER,
      group: 'account-service',
      configureAction: config.VALKEY_CONFIGURE_ACTION,
    },
  };

  // Under the platform's namespace, so Valkey's ACL for the services covers its keys.
  const loginThrottle = new LoginThrottle(deps.valkey, {
    maxFailuresPerUser: config.LOGIN_MAX_FAILURES_PER_USER,
    maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: config.LOGIN_THROTTLE_WINDOW_SECONDS,
    keyPrefix: `${config.SESSION_NAMESPACE}:login-throttle`,
  });

  const breaker = new StoreBreaker(() => deps.valkey.ping());

  const identity = { instance: config.INSTANCE_ID, version: config.BUILD_VERSION };
  const http = express();
  http.disable('x-powered-by');
  // On Express, before anything of Nest runs, so no Nest answer can miss the headers.
  http.use(servedBy(identity));
  http.use(requestLogging(logger));
  http.use(metrics.httpMiddleware());
  http.use(readiness.routes(identity));
  http.get('/metrics', metrics.handler());
  http.use(jsonBody());
  http.use(storeBreakerGate(breaker));

  // bodyParser: false, because jsonBody() above parses with our limit; abortOnError: false, so a
  // failing bootstrap rejects (main prints it and exits 1, a test sees the error) instead of
  // Nest calling process.abort().
  const app = await NestFactory.create(
    AppModule.register({ session, users: config.DEMO_USERS ?? DEMO_USERS, loginThrottle }),
    new ExpressAdapter(http),
    { logger: new PinoNestLogger(logger), bodyParser: false, abortOnError: false },
  );
  app.useGlobalFilters(new JsonExceptionFilter(logger, breaker));
  await app.init();
  return app;
}
