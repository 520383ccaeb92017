// One WebSocket on the page's own origin that comes back by itself. Both of the page's sockets
// (`/ws` for live cart changes, `/ws/fleet` for the fleet view) need the same lifecycle: open,
// read JSON messages, and after the gateway went away (1001 on a rolling restart, 1006 when cut)
// wait a capped, jittered backoff and open again; nginx gives the new socket to a live gateway.

export interface ReconnectingSocketOptions {
  /** The path on the page's origin: `/ws` or `/ws/fleet`. */
  path: string;
  /** The first retry's delay; each failed try doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Each JSON object the gateway sends. A `hello` also resets the backoff. */
  onMessage(message: { type?: unknown } & Record<string, unknown>): void;
  /** The socket closed: return true to open another after the backoff, false to stay closed. */
  onClose(code: number): boolean;
}

const NORMAL = 1000;

export class ReconnectingSocket {
  private socket: WebSocket | undefined;
  private retryTimer: number | undefined;
  private attempts = 0;
  /** True while a socket is wanted: open, opening, or waiting to retry. */
  private running = false;

  constructor(private readonly options: ReconnectingSocketOptions) {}

  /** Opens a socket unless one is wanted already; true when this call opened it. */
  start(): boolean {
    if (this.running) return false;
    this.running = true;
    this.open();
    return true;
  }

  /** Closes the socket (1000) and stays closed. */
  stop(): void {
    this.running = false;
    window.clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(NORMAL, 'client');
  }

  /** A new socket now, for example because the session token it would carry changed. */
  restart(): void {
    this.stop();
    this.start();
  }

  /** @private */
  private open(): void {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}${this.options.path}`);
    this.socket = socket;
    socket.addEventListener('message', (event: MessageEvent<unknown>) => this.onMessage(event));
    socket.addEventListener('close', (event: CloseEvent) => {
      if (this.socket !== socket) return; // replaced or stopped on purpose
      this.socket = undefined;
      if (!this.options.onClose(event.code)) {
        this.running = false;
        return;
      }
      // Jittered, so that a gateway restart does not bring every open tab back at one instant.
      const { baseDelayMs, maxDelayMs } = this.options;
      const delay =
        Math.min(baseDelayMs * 2 ** this.attempts, maxDelayMs) * (0.75 + Math.random() / 2);
      this.attempts += 1;
      this.retryTimer = window.setTimeout(() => {
        if (this.running) this.open();
      }, delay);
    });
  }

  /** @private */
  private onMessage(event: MessageEvent<unknown>): void {
    let message: unknown;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return; // not ours to show
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
    const typed = message as { type?: unknown } & Record<string, unknown>;
    if (typed.type === 'hello') this.attempts = 0;
    this.options.onMessage(typed);
  }
}
