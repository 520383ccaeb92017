import { z } from 'zod';
import { type ServiceEnv, serviceEnvSchema } from '@baton/service-kit';
import type { CartVersion } from './cart/cart-versions.js';
import { DEFAULT_LINE_FORMAT, LINE_FORMATS, type LineFormat } from './cart/line-format.js';

/** A v2 release: `v2`, `v2.1`, `v2-rc1`, `v2+build-7`. */
const V2_RELEASE = /^v2(?:[.+-]|$)/;

/**
 * cart-service reads the variables every Baton app reads (INSTANCE_ID, PORT, VALKEY_URL, …) and
 * CART_VERSION and CART_LINE_FORMAT; its cart limits and catalog are part of the code, identical
 * on every replica.
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
    /**
     * How the cart's lines are written: `pairs` (the default, `["apple",2]`) or `objects`
     * (`[{"sku":"apple","qty":2}]`, what releases before `pairs` write and the only format they
     * read). Every replica of this build reads both. Set `objects` for the deploy that replaces a
     * fleet of those releases, and leave it unset from the next deploy on: the rollout in
     * docs/session-schema-evolution.md, "Changing what a field holds".
     */
    CART_LINE_FORMAT: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.enum(LINE_FORMATS, { error: 'must be pairs or objects' }).default(DEFAULT_LINE_FORMAT),
    ),
  })
  .transform((env) => ({ ...env, CART_VERSION: env.CART_VERSION ?? cartVersionOf(env) }));

/**
 * What `createApp` takes: every app's variables, CART_VERSION (a config without one, built from
 * `serviceEnvSchema` alone, follows BUILD_VERSION as the schema does) and CART_LINE_FORMAT
 * (without one: `pairs`).
 */
export type CartConfig = ServiceEnv & { CART_VERSION?: CartVersion; CART_LINE_FORMAT?: LineFormat };

/** The cart model of a replica: CART_VERSION, else 2 for a `v2…` release, else 1. */
export function cartVersionOf(config: CartConfig): CartVersion {
  return config.CART_VERSION ?? (V2_RELEASE.test(config.BUILD_VERSION) ? 2 : 1);
}
