/** The four variants, in the order every repeat runs them. */
export const VARIANTS = ['baton', 'baseline', 'baton-store', 'control'] as const;

export type VariantName = (typeof VARIANTS)[number];

/**
 * What a cart replica (`variants/main.ts`) can run: the variants, plus `memory` (express-session's
 * in-process store), which the bench never measures and the sticky-kill lab (`labs/`) kills.
 */
export const CART_BACKENDS = [...VARIANTS, 'memory'] as const;

export type CartBackendName = (typeof CART_BACKENDS)[number];

/** The variants that keep sessions (the control has none to lose, measure or preload). */
export const SESSION_VARIANTS = ['baton', 'baseline', 'baton-store'] as const;

export type SessionVariantName = (typeof SESSION_VARIANTS)[number];

/**
 * The variants the scale scenario fills with up to a million sessions: Baton's and connect-redis'
 * key formats. BatonStore's hash is Baton's format with express-session's content, so a third
 * fill would add minutes and no new shape.
 */
export const SCALE_VARIANTS = ['baton', 'baseline'] as const;

export const VARIANT_LABEL: Record<VariantName, string> = {
  baton: 'Baton',
  baseline: 'express-session + connect-redis',
  'baton-store': 'express-session + BatonStore',
  control: 'no-session control',
};

export type ScaleVariantName = (typeof SCALE_VARIANTS)[number];
