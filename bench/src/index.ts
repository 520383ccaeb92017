import { fileURLToPath } from 'node:url';

/**
 * What the failure labs (`labs/`) reuse from the bench: its cart replicas, whose backends differ
 * only in where the session lives, and its executable look-up.
 */
export { findExecutable } from './stack/binaries.js';
export { BASELINE_COOKIE } from './variants/baseline-cart.js';
export { CART_BACKENDS, type CartBackendName } from './variants/variant.js';

/**
 * The cart replica's entry point: `node <this>` with `BENCH_VARIANT` (a {@link CartBackendName}),
 * `BENCH_BASELINE_SECRET` (16+ characters, for `baseline` and `memory`) and the variables every
 * Baton app reads (`INSTANCE_ID`, `PORT`, `VALKEY_URL`, …). Serves the article's
 * `POST /cart/:item` and `GET /cart`, plus `/healthz` and `/readyz`.
 */
export const CART_REPLICA_MAIN = fileURLToPath(new URL('./variants/main.js', import.meta.url));
