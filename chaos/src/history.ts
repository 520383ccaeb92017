/** One operation a soak client made, as it saw it. Clients run one operation at a time. */
export type Operation =
  | { readonly kind: 'add'; readonly sku: string; readonly keyed: boolean }
  | { readonly kind: 'read' }
  | { readonly kind: 'me' };

/**
 * `ok`: answered 2xx (an add: acknowledged; a read: `cart` is what it showed). `failed`: no 2xx
 * answer, so an add may or may not have been applied. `signed-out`: `me` answered 401.
 */
export type Outcome = 'ok' | 'failed' | 'signed-out';

export interface HistoryEntry {
  readonly client: string;
  readonly op: Operation;
  /** ms since the soak started, when it was sent and when its answer came. */
  readonly start: number;
  readonly end: number;
  readonly outcome: Outcome;
  /** The HTTP status of the last attempt (null: no answer). */
  readonly status: number | null;
  /** A successful read's cart, sku → qty. */
  readonly cart?: Readonly<Record<string, number>>;
}

/** The end of the soak, per client: its cart read once every fault was healed, and `me`. */
export interface FinalState {
  readonly client: string;
  readonly cart: Readonly<Record<string, number>> | null;
  readonly signedIn: boolean;
}
