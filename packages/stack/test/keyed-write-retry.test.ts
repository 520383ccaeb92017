// Which writes nginx may pass to a second replica after the first one may have run them: only cart
// requests that carry an Idempotency-Key (cart-service applies those once however often they
// arrive). A login with a key, or a cart write without one, must not be sent twice. Real nginx
// with the template in front of two servers that cut the connection, without an answer, the first
// time they see a request: what a replica SIGKILLed mid-request does.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type TemplateNginx, startTemplateNginx } from './template-nginx.js';

/** How many times each request (by X-Request-Id) reached a replica. */
const attempts = new Map<string, number>();

function dyingOnFirstSight(): Server {
  return createServer((req, res) => {
    const id = String(req.headers['x-request-id']);
    const seen = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, seen);
    if (seen === 1) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
}

/** Sends a POST to `port` and answers its status and how many replicas saw it. */
function post(port: number, path: string, key?: string): Promise<{ status: number; seen: number }> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'x-request-id': id,
          ...(key ? { 'idempotency-key': key } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, seen: attempts.get(id) ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end('{"sku":"apple","qty":1}');
  });
}

describe('nginx passes a write to the second replica only when it is a keyed cart write', () => {
  const servers = [dyingOnFirstSight(), dyingOnFirstSight()];
  let nginx: TemplateNginx;

  before(async () => {
    for (const server of servers) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
    const [a, b] = servers.map((s) => `127.0.0.1:${(s.address() as AddressInfo).port}`);
    nginx = await startTemplateNginx([a!, b!]);
  });

  after(async () => {
    await nginx.stop();
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a cart write with a key: retried on the other replica, at the edge and the cart listener', async () => {
    for (const port of [nginx.edge, nginx.cart]) {
      for (const path of ['/api/cart/items', '/cart/apple', '/CART/apple?x=%2F']) {
        assert.deepEqual(await post(port, path, randomUUID()), { status: 200, seen: 2 }, path);
      }
    }
  });

  it('a cart write without a key: not sent twice (502)', async () => {
    assert.deepEqual(await post(nginx.edge, '/api/cart/items'), { status: 502, seen: 1 });
    assert.deepEqual(await post(nginx.cart, '/api/cart/items'), { status: 502, seen: 1 });
  });

  it('a key on anything but the cart does not make a write retryable', async () => {
    for (const path of ['/api/account/login', '/api/catalog', '/cartoon']) {
      assert.deepEqual(await post(nginx.edge, path, randomUUID()), { status: 502, seen: 1 }, path);
    }
  });
});
