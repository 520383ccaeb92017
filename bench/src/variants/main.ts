import { runService, serviceEnvSchema } from '@baton/service-kit';
import { baselineBackend } from './baseline-cart.js';
import { batonBackend } from './baton-cart.js';
import { batonStoreBackend } from './baton-store-cart.js';
import { cartApp } from './cart-app.js';
import { controlBackend } from './control-cart.js';
import { memoryBackend } from './memory-cart.js';
import { CART_BACKENDS, type CartBackendName } from './variant.js';

/**
 * One cart replica of one variant: `BENCH_VARIANT=baton|baseline|baton-store|control` plus the
 * variables every Baton app reads (or `memory`, node-local sessions, which only the failure labs
 * in `labs/` run). It runs
 * through service-kit's `runService`, like cart-service, so all of them share the process set-up
 * (Valkey client for /readyz, keep-alive timeouts, graceful SIGTERM).
 */
const variant = process.env.BENCH_VARIANT as CartBackendName;
if (!CART_BACKENDS.includes(variant)) {
  console.error(`BENCH_VARIANT must be one of ${CART_BACKENDS.join(', ')}`);
  process.exit(1);
}
const secret = process.env.BENCH_BASELINE_SECRET ?? '';
const usesExpressSession =
  variant === 'baseline' || variant === 'baton-store' || variant === 'memory';
if (usesExpressSession && secret.length < 16) {
  console.error('BENCH_BASELINE_SECRET must be at least 16 characters');
  process.exit(1);
}

await runService(serviceEnvSchema, async (config, deps) => {
  const backend =
    variant === 'baton'
      ? batonBackend(config, deps)
      : variant === 'baseline'
        ? await baselineBackend(config, secret)
        : variant === 'baton-store'
          ? batonStoreBackend(config, secret, deps)
          : variant === 'memory'
            ? memoryBackend(config, secret)
            : controlBackend();
  return {
    handler: cartApp(
      config.INSTANCE_ID,
      backend,
      deps.readiness.routes({ instance: config.INSTANCE_ID, version: config.BUILD_VERSION }),
    ),
    close: () => backend.close?.() ?? Promise.resolve(),
  };
});
