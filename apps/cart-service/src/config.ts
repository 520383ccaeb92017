import { z } from 'zod';
import { type ServiceEnv, serviceEnvSchema } from '@baton/service-kit';
import type { CartVersion } from './cart/cart-versions.js';

/** A v2 release: `v2`, `v2.1`, `v2-rc1`, `v2+build-7`. */
const V2_RELEASE = /^v2(?:[.+-]|$)/;

/**
 * cart-service reads the variables every Baton app reads (INSTANCE_ID, PORT, VALKEY_URL, …) and
 * CART_VERSION; its cart limits and catalog are part of the code, identical on every replica.
 */
export const cartEnvSchema = serviceEnvSchema
  .extend({
    /**
     * The cart model this replica runs: `1`, or `2` (adds the "saved for later" list). Unset, it
     * follows the release: 2 for a BUILD_VERSION of `v2…`, else 1. So `deploy --version v2`
     * rolls the new model out and `deploy --version v1` rolls it back, with nothing else to set.
     */
    CART_VERSION: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z
        .enum(['1', '2'], { error: 'must be 1 or 2' })
        .transform((value) => Number(value) as CartVersion)
        .optional(),
    ),
  })
  .transform((env) => ({ ...env, CART_VERSION: env.CART_VERSION ?? cartVersionOf(env) }));

/**
 * What `createApp` takes: every app's variables, and CART_VERSION (a config without one, built
 * from `serviceEnvSchema` alone, follows BUILD_VERSION as the schema does).
 */
export type CartConfig = ServiceEnv & { CART_VERSION?: CartVersion };

/** The cart model of a replica: CART_VERSION, else 2 for a `v2…` release, else 1. */
export function cartVersionOf(config: CartConfig): CartVersion {
  return config.CART_VERSION ?? (V2_RELEASE.test(config.BUILD_VERSION) ? 2 : 1);
}
