import assert from 'node:assert/strict';
import { type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, it } from 'node:test';
import { gatewayRig } from './gateway-rig.js';
import { request } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json', 'x-auth-token': '' },
  body: JSON.stringify(body),
});

describe('cart writes: Idempotency-Key and one retry on a lost upstream', () => {
  const rig = gatewayRig();

  beforeEach(() => {
    rig.cart.requests.length = 0;
  });

  it('adds a random UUID key to cart writes that come without one, and none to reads', async () => {
    for (const [method, path] of [
      ['POST', '/api/cart/items'],
      ['PATCH', '/api/cart/items/apple'],
      ['DELETE', '/api/cart/items/apple'],
      ['DELETE', '/api/cart'],
      ['POST', '/cart/apple'],
    ] as const) {
      const body = method === 'DELETE' ? { headers: { 'x-auth-token': '' } } : json({ qty: 1 });
      await request(rig.gateway.url, method, path, body);
      assert.match(String(rig.cart.last.headers['idempotency-key']), UUID, `${method} ${path}`);
    }
    const keys = new Set(rig.cart.requests.map((r) => r.headers['idempotency-key']));
    assert.equal(keys.size, 5, 'a fresh key per request');

    await request(rig.gateway.url, 'GET', '/api/cart');
    assert.equal(rig.cart.last.headers['idempotency-key'], undefined);
    await request(rig.gateway.url, 'POST', '/api/account/login', json({}));
    assert.equal(rig.account.last.headers['idempotency-key'], undefined);
  });

  it("passes the client's own key through untouched, even one cart-service will refuse", async () => {
    for (const key of ['client-key-1', 'not valid!']) {
      const sent = json({ sku: 'apple' });
      await request(rig.gateway.url, 'POST', '/api/cart/items', {
        ...sent,
        headers: { ...sent.headers, 'idempotency-key': key },
      });
      assert.equal(rig.cart.last.headers['idempotency-key'], key);
    }
  });

  it('sends a write again, same key and body, when the connection is cut before an answer', async () => {
    rig.cart.replyOnce({ reset: true });
    const body = JSON.stringify({ sku: 'apple', qty: 2 });
    const res = await request(rig.gateway.url, 'POST', '/api/cart/items', { ...json({}), body });
    assert.equal(res.status, 200);
    assert.equal(rig.cart.requests.length, 2);
    const [first, second] = rig.cart.requests;
    assert.equal(second?.body, body);
    assert.equal(first?.body, body);
    assert.equal(second?.headers['idempotency-key'], first?.headers['idempotency-key']);
    assert.equal(res.headers['x-served-by'], 'gateway-1, cart-1');
  });

  for (const status of [502, 503]) {
    it(`sends a write again after nginx's ${status} page, and answers with the second attempt`, async () => {
      rig.cart.replyOnce({ status, headers: { 'content-type': 'text/html' }, body: '<html>' });
      // No body: Node sends a DELETE's body without framing, which no server accepts.
      const res = await request(rig.gateway.url, 'DELETE', '/api/cart/items/pear', {
        headers: { 'x-auth-token': '' },
      });
      assert.equal(res.status, 200);
      assert.equal(rig.cart.requests.length, 2);
      assert.equal(
        rig.cart.requests[1]?.headers['idempotency-key'],
        rig.cart.requests[0]?.headers['idempotency-key'],
      );
    });
  }

  it('retries once only: a second lost attempt reaches the client as 502 JSON', async () => {
    rig.cart.replyOnce({ reset: true });
    rig.cart.replyOnce({ reset: true });
    const res = await request(rig.gateway.url, 'POST', '/cart/apple', json({}));
    assert.equal(res.status, 502);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(rig.cart.requests.length, 2);
  });

  it("does not retry a service's own JSON 503 (Valkey away), nor a read", async () => {
    const storeDown = JSON.stringify({ error: { code: 'SESSION_STORE_UNAVAILABLE', message: '' } });
    rig.cart.replyOnce({ status: 503, headers: { 'retry-after': '1' }, body: storeDown });
    const write = await request(rig.gateway.url, 'POST', '/api/cart/items', json({ sku: 'apple' }));
    assert.equal(write.status, 503);
    assert.equal(write.body, storeDown);
    assert.equal(write.headers['retry-after'], '1');
    assert.equal(rig.cart.requests.length, 1);

    rig.cart.replyOnce({ reset: true });
    const read = await request(rig.gateway.url, 'GET', '/api/cart');
    assert.equal(read.status, 502, 'reads are retried by nginx, not here');
    assert.equal(rig.cart.requests.length, 2);
  });

  it('refuses a write body over 64 kB with 413 JSON, without calling the upstream', async () => {
    const res = await request(rig.gateway.url, 'POST', '/api/cart/items', {
      ...json({}),
      body: JSON.stringify({ sku: 'x'.repeat(70_000) }),
    });
    assert.equal(res.status, 413);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(rig.cart.requests.length, 0);
  });
});

describe('a write whose answer is lost after the cart applied it (real cart-service)', () => {
  let lossy: LossyRelay;
  const rig = gatewayRig({
    cart: 'real',
    cartFront: async (cartUrl) => (lossy = await LossyRelay.start(cartUrl)),
  });

  it('the client gets the first answer once, and the cart holds the item once', async () => {
    const first = await request(rig.gateway.url, 'POST', '/api/cart/items', json({ sku: 'pear' }));
    assert.equal(first.status, 201);
    const token = first.headers['x-auth-token'] as string;
    const asShopper = (body: unknown) => {
      const sent = json(body);
      return { ...sent, headers: { ...sent.headers, 'x-auth-token': token } };
    };

    lossy.dropNextAnswer();
    const add = await request(
      rig.gateway.url,
      'POST',
      '/api/cart/items',
      asShopper({ sku: 'apple', qty: 3 }),
    );
    assert.equal(lossy.dropped, 1, 'the first answer was applied, then lost');
    assert.equal(add.status, 201, 'the answer of the attempt that made the change');
    assert.equal(add.headers['idempotent-replayed'], 'true');
    assert.equal(add.headers.location, '/api/cart/items/apple');

    const cart = await request(rig.gateway.url, 'GET', '/api/cart', asShopper(undefined));
    const lines = (cart.json() as { lines: { sku: string; qty: number }[] }).lines;
    assert.deepEqual(
      lines.map((l) => [l.sku, l.qty]),
      [
        ['pear', 1],
        ['apple', 3],
      ],
      'applied once, not 6 apples',
    );
  });
});

/**
 * Stands between the gateway and a real cart-service like nginx's internal listener, and can
 * lose an answer the way a replica killed after its write does: the request reaches the cart and
 * runs, then the connection to the gateway is cut before any byte of the answer.
 */
class LossyRelay {
  dropped = 0;
  private drop = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: string,
  ) {}

  static async start(target: string): Promise<LossyRelay> {
    const server = createServer();
    const relay = new LossyRelay(server, target);
    server.on('request', (req, res) => {
      const upstream = httpRequest(
        new URL(req.url ?? '/', relay.target),
        { method: req.method, headers: req.headers, agent: false },
        (answer) => {
          if (relay.drop > 0) {
            relay.drop -= 1;
            relay.dropped += 1;
            answer.resume();
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  dropNextAnswer(): void {
    this.drop += 1;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
