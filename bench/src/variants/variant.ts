/**
 * The variants, in the order every repeat runs them. `cart-service` is the platform as shipped:
 * the real apps/cart-service (its middleware, catalog, idempotency records and live-update
 * publish) behind the same gateways, on the article's routes it also serves.
 */
export const VARIANTS = ['baton', 'cart-service', 'baseline', 'baton-store', 'control'] as const;

export type VariantName = (typeof VARIANTS)[number];

/**
 * What a bench cart replica (`variants/main.ts`) can run: the minimal variants, plus `memory`
 * (express-session's in-process store), which the bench never measures and the sticky-kill lab
 * (`labs/`) kills. `cart-service` runs its own entry point.
 */
export const CART_BACKENDS = ['baton', 'baseline', 'baton-store', 'control', 'memory'] as const;

export type CartBackendName = (typeof CART_BACKENDS)[number];

/** The variants that keep sessions (the control has none to lose, measure or preload). */
export const SESSION_VARIANTS = ['baton', 'baseline', 'baton-store'] as const;

export type SessionVariantName = (typeof SESSION_VARIANTS)[number];

/**
 * The variants whose sessions the memory measurement weighs: the session variants and the
 * shipped cart-service (left out of the lost-update scenario: its catalog refuses the
 * `item-<n>` adds, and its own tests count its concurrent adds).
 */
export const MEMORY_VARIANTS = [...SESSION_VARIANTS, 'cart-service'] as const;

export type MemoryVariantName = (typeof MEMORY_VARIANTS)[number];

/**
 * The variants the scale scenario fills with up to a million sessions: Baton's and connect-redis'
 * key formats. BatonStore's hash is Baton's format with express-session's content, so a third
 * fill would add minutes and no new shape.
 */
export const SCALE_VARIANTS = ['baton', 'baseline'] as const;

export const VARIANT_LABEL: Record<VariantName, string> = {
  baton: 'Baton',
  'cart-service': 'cart-service (as shipped)',
  baseline: 'express-session + connect-redis',
  'baton-store': 'express-session + BatonStore',
  control: 'no-session control',
};

export type ScaleVariantName = (typeof SCALE_VARIANTS)[number];
