import type { ServiceEnv } from '@baton/service-kit';
import { expressSessionBackend } from './baseline-cart.js';
import type { CartBackend } from './cart-app.js';

/**
 * Node-local sessions: express-session with its default in-process `MemoryStore`, what an app has
 * before it shares a store, and what sticky sessions exist to prop up. Never benchmarked (it is
 * not in `VARIANTS`: a second replica does not see the first one's sessions, so the bench's
 * round-robin topology would measure nothing); the sticky-kill lab in `labs/` runs it
 * behind a sticky nginx and kills a node. Same options as the baseline, minus the store.
 */
export function memoryBackend(config: ServiceEnv, secret: string): CartBackend {
  return expressSessionBackend(config, secret);
}
