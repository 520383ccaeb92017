/**
 * apps/cart-service as its own main.ts runs it, with one difference: the cart's attribute schema
 * (cart-versions.ts) is not registered, so the session layer stores the cart as whatever JSON the
 * replica's code writes. What the fleet would be without @baton/session's attribute schemas; the
 * mixed-versions lab runs it beside the real thing.
 */
import { createApp } from '@baton/cart-service/app';
import { cartEnvSchema } from '@baton/cart-service/config';
import { runService } from '@baton/service-kit';

await runService(cartEnvSchema, (config, deps) => ({
  handler: createApp(config, { ...deps, cartSchema: false }),
}));
