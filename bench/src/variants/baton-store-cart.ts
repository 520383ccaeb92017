import type { ServiceDeps, ServiceEnv } from '@baton/service-kit';
import { BatonStore } from '@baton/session/express-session';
import { expressSessionBackend } from './baseline-cart.js';
import type { CartBackend } from './cart-app.js';

/**
 * The baseline with its `store:` line changed and nothing else: the same express-session options
 * and handler code ({@link expressSessionBackend}), with `BatonStore` on the replica's shared
 * ioredis client (service-kit's fail-fast one) instead of connect-redis on node-redis. What an
 * existing app gets from adopting Baton without a rewrite.
 */
export function batonStoreBackend(
  config: ServiceEnv,
  secret: string,
  deps: ServiceDeps,
): CartBackend {
  return expressSessionBackend(config, secret, new BatonStore({ client: deps.valkey }));
}
