import { z } from 'zod';
import { serviceEnvSchema } from '@baton/service-kit';

const upstreamUrl = z.url({
  protocol: /^https?$/,
  error: (issue) =>
    issue.input === undefined ? 'is required' : 'must be an http:// or https:// URL',
});

/** The gateway's environment: the shared variables plus where its two upstreams live. */
export const gatewayEnvSchema = serviceEnvSchema.extend({
  /** The cart upstream: nginx's internal listener that round-robins cart-1 and cart-2. */
  CART_URL: upstreamUrl,
  /** The account upstream: nginx's internal listener in front of account-1 and account-2. */
  ACCOUNT_URL: upstreamUrl,
  /**
   * How long an upstream may take to answer before the gateway gives up with a JSON 504. Kept
   * below the edge nginx's 30 s `proxy_read_timeout`, so the client gets our JSON, not nginx's page.
   */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
});

export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;
