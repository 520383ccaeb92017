import type { CartBackend } from './cart-app.js';

/** What a seeded session holds in the other variants, so bodies are the same size. */
export const SEEDED_CART: readonly string[] = Object.freeze(['apple', 'pear', 'banana']);

/** No session at all: the same routes and JSON with a fixed cart. The floor the others pay for. */
export function controlBackend(): CartBackend {
  return {
    middleware: [],
    read: () => SEEDED_CART,
    add: async (_req, item) => [...SEEDED_CART, item],
    mark: async () => undefined,
    marks: () => [],
    sessionId: () => 'none',
  };
}
