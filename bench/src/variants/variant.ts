/** The three variants, in the order every repeat runs them. */
export const VARIANTS = ['baton', 'baseline', 'control'] as const;

export type VariantName = (typeof VARIANTS)[number];

/**
 * What a cart replica (`variants/main.ts`) can run: the variants, plus `memory` (express-session's
 * in-process store), which the bench never measures and the sticky-kill lab (`labs/`) kills.
 */
export const CART_BACKENDS = [...VARIANTS, 'memory'] as const;

export type CartBackendName = (typeof CART_BACKENDS)[number];

/** The two variants that keep sessions (the control has none to lose, measure or preload). */
export const SESSION_VARIANTS = ['baton', 'baseline'] as const;

export type SessionVariantName = (typeof SESSION_VARIANTS)[number];

export const VARIANT_LABEL: Record<VariantName, string> = {
  baton: 'Baton',
  baseline: 'express-session + connect-redis',
  control: 'no-session control',
};
