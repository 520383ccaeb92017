import { type ServiceDeps, type ServiceEnv, durableWritesFrom } from '@baton/service-kit';
import { session } from '@baton/session/express';
import { type CartBackend, MARK_PREFIX } from './cart-app.js';

/**
 * Baton, configured as cart-service is: the header resolver (the gateway turns the `SESSION`
 * cookie into `X-Auth-Token`), the shared ioredis client, and `update()` for the append, so that
 * concurrent adds from both replicas are never lost.
 */
export function batonBackend(config: ServiceEnv, deps: ServiceDeps): CartBackend {
  const withSession = session({
    client: deps.valkey,
    namespace: config.SESSION_NAMESPACE,
    maxInactiveIntervalMs: config.SESSION_MAX_INACTIVE_SECONDS * 1000,
    resolver: 'header',
    cookie: { secure: config.COOKIE_SECURE },
    logger: deps.logger,
    // SESSION_NEAR_CACHE=true: the near-cache bench (src/near-cache/) runs this variant with it.
    ...(config.SESSION_NEAR_CACHE ? { nearCache: true } : {}),
    // SESSION_DURABLE_WRITES_REPLICAS=1: the durable-writes bench (src/durable-writes/).
    ...durableWritesFrom(config),
  });
  return {
    middleware: [withSession],
    read: (req) => req.session.get<string[]>('cart') ?? [],
    add: (req, item) => req.session.update<string[]>('cart', (cart = []) => [...cart, item]),
    mark: async (req, name) => req.session.set(MARK_PREFIX + name, true),
    marks: (req) =>
      req.session
        .attributeNames()
        .filter((n) => n.startsWith(MARK_PREFIX))
        .map((n) => n.slice(MARK_PREFIX.length)),
    sessionId: (req) => req.session.id,
  };
}
