import assert from 'node:assert/strict';
import {
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
  createServer,
  request as httpRequest,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gatewayRig } from './gateway-rig.js';
import { type GatewayUnderTest, request, startGateway } from './harness.js';

/**
 * An upstream written for one test: `answer` gets every request; the server counts the TCP
 * connections the gateway opened to it.
 */
class ScriptedUpstream {
  connections = 0;
  readonly seen: { headers: IncomingHttpHeaders; body: string }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(
    answer: (res: ServerResponse, body: string) => void,
  ): Promise<ScriptedUpstream> {
    const server = createServer();
    const upstream = new ScriptedUpstream(server);
    server.on('connection', () => (upstream.connections += 1));
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        upstream.seen.push({ headers: req.headers, body });
        answer(res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Whether a request's answer arrived whole, and what of it. */
function fetchWhole(
  url: string,
  path: string,
): Promise<{ status: number; bytes: number; complete: boolean }> {
  return new Promise((resolve) => {
    const req = httpRequest(new URL(path, url), { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('error', () => undefined);
      // `complete`: the whole message arrived, as its framing promised.
      res.on('close', () =>
        resolve({ status: res.statusCode ?? 0, bytes, complete: res.complete }),
      );
    });
    req.on('error', () => resolve({ status: 0, bytes: 0, complete: false }));
    req.end();
  });
}

describe('the proxy path: streaming, connections and hop-by-hop headers', () => {
  const rig = gatewayRig();
  const big = 'x'.repeat(4 * 1024 * 1024);
  let upstream: ScriptedUpstream;
  let gateway: GatewayUnderTest;
  let mode: 'big' | 'cut' | 'echo' = 'echo';

  before(async () => {
    upstream = await ScriptedUpstream.start((res, body) => {
      if (mode === 'big') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(big);
      } else if (mode === 'cut') {
        // Promises 1 MB, sends a piece, then the replica dies.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1048576' });
        res.write('{"partial":', () => res.socket?.destroy());
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ body }));
      }
    });
    gateway = await startGateway({ ...rig.gatewayEnv, CART_URL: upstream.url });
  });

  after(async () => {
    await gateway.close();
    await upstream.stop();
  });

  it('relays a 4 MB answer whole (the client reads slower than loopback delivers)', async () => {
    mode = 'big';
    const answer = await fetchWhole(gateway.url, '/api/catalog');
    assert.equal(answer.status, 200);
    assert.equal(answer.complete, true);
    assert.equal(answer.bytes, big.length);
  });

  it('cuts the client connection when the upstream dies mid-answer, rather than end it short', async () => {
    mode = 'cut';
    const answer = await fetchWhole(gateway.url, '/api/catalog');
    assert.equal(answer.status, 200, 'the head had already gone to the client');
    assert.equal(answer.complete, false, 'the client must see a cut, not a short complete body');
    mode = 'echo';
    assert.equal((await request(gateway.url, 'GET', '/api/catalog')).status, 200);
  });

  it('streams a chunked request body (no Content-Length) to the upstream whole', async () => {
    mode = 'echo';
    const parts = ['{"email":', '"a@example.com",', '"password":"pw"}'];
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        new URL('/api/account/login', gateway.url),
        { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        },
      );
      req.on('error', reject);
      for (const part of parts) req.write(part);
      req.end();
    });
    // ACCOUNT_URL is the rig's fake account: it echoes what it got.
    assert.equal((JSON.parse(body) as { body: string }).body, parts.join(''));
  });

  it('keeps its upstream connections open: 20 requests in turn use at most a few', async () => {
    mode = 'echo';
    const before = upstream.connections;
    for (let i = 0; i < 20; i++) {
      assert.equal((await request(gateway.url, 'GET', '/api/catalog')).status, 200);
    }
    assert.ok(
      upstream.connections - before <= 2,
      `${upstream.connections - before} new connections for 20 requests`,
    );
  });

  it('forwards no hop-by-hop request header, nor one the client named in Connection', async () => {
    mode = 'echo';
    await request(gateway.url, 'GET', '/api/catalog', {
      headers: {
        connection: 'keep-alive, x-hop-secret',
        'keep-alive': 'timeout=30',
        'x-hop-secret': 'not for the upstream',
        te: 'trailers',
        'x-end-to-end': 'kept',
      },
    });
    const seen = upstream.seen.at(-1)?.headers ?? {};
    assert.equal(seen['x-hop-secret'], undefined);
    assert.equal(seen['keep-alive'], undefined);
    assert.equal(seen.te, undefined);
    assert.equal(seen['x-end-to-end'], 'kept');
  });
});
