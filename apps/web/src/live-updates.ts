// The page's `/ws` connection: live cart changes from other tabs and devices, and the end of the
// session (revoked, logged out, expired, evicted) with a message instead of a silent failure.

import type { PushedLine } from './cart-pricing.js';

export interface PushedCart {
  lines: PushedLine[];
  count: number;
}

export interface LiveUpdatesHandlers {
  /** The session's cart changed (in any tab, on any device): draw it. */
  onCart(cart: PushedCart): void;
  /** The session ended elsewhere: show `message` and return to the signed-out state. */
  onSessionEnded(message: string): void;
}

/** What each of the gateway's closing codes means to the person looking at the page. */
const ENDED: Record<number, string> = {
  4001: 'This session was signed out from another device.',
  4002: 'You signed out in another tab or window.',
  4003: 'Your session expired. Sign in again to continue.',
  4004: 'This session was signed out because your account signed in on too many devices.',
};
/** No session (yet): wait until a cart change or a sign-in gives this browser one. */
const NO_SESSION = 4401;
const NORMAL = 1000;

/**
 * One WebSocket to `/ws` on the page's own origin. It reconnects with a capped, jittered
 * backoff after the gateway went away (1001 on a rolling restart, 1006 when cut, 1013 when the
 * store is briefly unavailable); nginx sends the new socket to whichever gateway is up. After
 * 4001–4004 and 4401 it waits: the session it named is gone, and `connect()` (after a cart
 * change) or `reconnect()` (after a sign-in) opens the next one.
 */
export class LiveUpdates {
  private socket: WebSocket | undefined;
  private retryTimer: number | undefined;
  private attempts = 0;
  /** True while a socket is wanted: connected, connecting, or waiting to retry. */
  private wanted = false;

  constructor(
    private readonly handlers: LiveUpdatesHandlers,
    private readonly status: HTMLElement | null,
  ) {}

  /**
   * Opens a socket unless one is open or on its way (call it after a change: it may have made a
   * session). Returns true when it opened one, i.e. this tab had no live session until now.
   */
  connect(): boolean {
    if (this.wanted) return false;
    this.wanted = true;
    this.open();
    return true;
  }

  /** A new socket for a new session token (after signing in). */
  reconnect(): void {
    this.stop();
    this.connect();
  }

  /** Closes the socket and stays closed (before this tab signs out: its own logout is no news). */
  stop(): void {
    this.wanted = false;
    window.clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(NORMAL, 'client');
  }

  /** @private */
  private open(): void {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket = socket;
    this.show('Live updates: connecting…');
    socket.addEventListener('message', (event: MessageEvent<unknown>) => this.onMessage(event));
    socket.addEventListener('close', (event: CloseEvent) => {
      if (this.socket !== socket) return; // replaced or stopped on purpose
      this.socket = undefined;
      this.onClose(event.code);
    });
  }

  /** @private */
  private onMessage(event: MessageEvent<unknown>): void {
    let message: { type?: unknown; servedBy?: unknown; cart?: PushedCart };
    try {
      message = JSON.parse(String(event.data)) as typeof message;
    } catch {
      return;
    }
    if (message.type === 'hello') {
      this.attempts = 0;
      this.show(`Live updates: on (${String(message.servedBy)})`);
    } else if (message.type === 'cart' && Array.isArray(message.cart?.lines)) {
      this.handlers.onCart(message.cart);
    }
  }

  /** @private */
  private onClose(code: number): void {
    const ended = ENDED[code];
    if (ended !== undefined || code === NO_SESSION) {
      this.wanted = false;
      this.show('Live updates: off until you add something or sign in');
      if (ended !== undefined) this.handlers.onSessionEnded(ended);
      return;
    }
    // 1001, 1006, 1011, 1013…: the connection went, the session did not.
    const delay = Math.min(500 * 2 ** this.attempts, 15_000) * (0.75 + Math.random() / 2);
    this.attempts += 1;
    this.show('Live updates: reconnecting…');
    this.retryTimer = window.setTimeout(() => {
      if (this.wanted) this.open();
    }, delay);
  }

  /** @private */
  private show(text: string): void {
    if (this.status) this.status.textContent = text;
  }
}
