import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the fake upstream answers; the default echoes the request as JSON. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (to exceed the gateway's timeout). */
  delayMs?: number;
  /** Cut the connection instead of answering, as a replica killed mid-request would. */
  reset?: boolean;
}

/**
 * Stands in for a service behind nginx (cart or account): a plain node:http server on a free
 * loopback port that records every request and answers with `X-Served-By: <instanceId>` plus
 * whatever the test asked for. Not a stand-in for Valkey: the gateway's Valkey is real.
 */
export class FakeUpstream {
  readonly requests: SeenRequest[] = [];
  private replies: FakeReply[] = [];

  private constructor(
    readonly instanceId: string,
    private readonly server: Server,
  ) {}

  static async start(instanceId: string): Promise<FakeUpstream> {
    const server = createServer();
    const upstream = new FakeUpstream(instanceId, server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const seen: SeenRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        upstream.requests.push(seen);
        const reply = upstream.replies.shift() ?? {};
        const answer = () => {
          if (reply.reset) {
            req.socket.destroy();
            return;
          }
          res.writeHead(reply.status ?? 200, {
            'content-type': 'application/json',
            'x-served-by': instanceId,
            ...reply.headers,
          });
          res.end(reply.body ?? JSON.stringify(seen));
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
        else answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next request gets this answer instead of the echo. */
  replyOnce(reply: FakeReply): void {
    this.replies.push(reply);
  }

  get last(): SeenRequest {
    const seen = this.requests.at(-1);
    if (!seen) throw new Error(`${this.instanceId} received no request`);
    return seen;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
