// Which writes nginx may pass to a second replica after the first one may have run them: only cart
// requests that carry an Idempotency-Key (cart-service applies those once however often they
// arrive). At the edge every write has one: a keyless write gets nginx's $request_id, the same on
// both tries. A login with a key, or a keyless cart write on the internal listener, must not be
// sent twice. Real nginx
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
/** The Idempotency-Key each try of a request (by X-Request-Id) carried. */
const keysSeen = new Map<string, string[]>();

function dyingOnFirstSight(): Server {
  return createServer((req, res) => {
    const id = String(req.headers['x-request-id']);
    const seen = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, seen);
    keysSeen.set(id, [...(keysSeen.get(id) ?? []), String(req.headers['idempotency-key'] ?? '')]);
    if (seen === 1) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
}

/** Sends a POST to `port` and answers its status and how many replicas saw it. */
function post(
  port: number,
  path: string,
  key?: string,
): Promise<{ status: number; seen: number; keys: string[] }> {
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
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            seen: attempts.get(id) ?? 0,
            keys: keysSeen.get(id) ?? [],
          }),
        );
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
        const key = randomUUID();
        assert.deepEqual(
          await post(port, path, key),
          { status: 200, seen: 2, keys: [key, key] },
          path,
        );
      }
    }
  });

  it('a cart write without a key at the edge: given one ($request_id), the same on both tries', async () => {
    const seenKeys = new Set<string>();
    for (const path of ['/api/cart/items', '/cart/apple']) {
      const { status, seen, keys } = await post(nginx.edge, path);
      assert.deepEqual({ status, seen }, { status: 200, seen: 2 }, path);
      assert.match(keys[0]!, /^[0-9a-f]{32}$/);
      assert.equal(keys[1], keys[0]);
      seenKeys.add(keys[0]!);
    }
    assert.equal(seenKeys.size, 2, 'each request its own key');
  });

  it('a cart write without a key on the internal listener: not sent twice (502)', async () => {
    assert.deepEqual(await post(nginx.cart, '/api/cart/items'), {
      status: 502,
      seen: 1,
      keys: [''],
    });
  });

  it('a key on anything but the cart does not make a write retryable', async () => {
    for (const path of ['/api/account/login', '/api/catalog', '/cartoon']) {
      const key = randomUUID();
      assert.deepEqual(
        await post(nginx.edge, path, key),
        { status: 502, seen: 1, keys: [key] },
        path,
      );
    }
    // Nor does the edge's own key: a keyless login is sent once.
    const login = await post(nginx.edge, '/api/account/login');
    assert.deepEqual({ status: login.status, seen: login.seen }, { status: 502, seen: 1 });
  });
});
