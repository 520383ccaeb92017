import { WebSocket } from 'ws';

/** How a socket ended, as the client saw it. */
export interface Closed {
  code: number;
  reason: string;
}

/** A `/ws` client that queues what it receives, so tests can await messages and the close. */
export class TestSocket {
  readonly ws: WebSocket;
  readonly closed: Promise<Closed>;
  /** Resolves when the handshake succeeded, rejects with the HTTP status when it was refused. */
  readonly opened: Promise<void>;
  private readonly received: unknown[] = [];
  private wake: (() => void) | undefined;

  constructor(
    url: string,
    headers: Record<string, string> = {},
    options: { autoPong?: boolean } = {},
  ) {
    this.ws = new WebSocket(url, { headers, autoPong: options.autoPong ?? true });
    this.ws.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString('utf8')) as unknown);
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code: number, reason: Buffer) =>
        resolve({ code, reason: reason.toString('utf8') }),
      ),
    );
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          reject(
            Object.assign(new Error(`HTTP ${res.statusCode}`), {
              status: res.statusCode,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          this.ws.terminate();
        });
      });
      this.ws.on('error', reject);
    });
    this.opened.catch(() => undefined);
  }

  /** The next message not yet taken, waiting up to `timeoutMs`. */
  async next(timeoutMs = 2_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.received.shift();
  }

  /** The close, or a failure if it does not come within `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  terminate(): void {
    this.ws.terminate();
  }
}
