import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { controlServer } from './control-server.js';
import { FaultProxyError } from './errors.js';
import { FaultProxyClient } from './fault-proxy-client.js';
import { FaultProxy } from './fault-proxy.js';

describe('control API', () => {
  const proxy = new FaultProxy();
  const server = controlServer(proxy);
  let port = 0;
  let client: FaultProxyClient;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    client = new FaultProxyClient(port);
  });
  after(async () => {
    await proxy.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('opens a link idempotently, keeps its port on retarget, and sets its fault', async () => {
    const first = await client.ensure('cart-1>valkey', 0, { host: '127.0.0.1', port: 6379 });
    const again = await client.ensure('cart-1>valkey', 0, { host: '127.0.0.1', port: 6380 });
    assert.equal(again.port, first.port);
    assert.equal(again.target.port, 6380);
    const stalled = await client.setFault('cart-1>valkey', { mode: 'stall' });
    assert.deepEqual(stalled.fault, { mode: 'stall' });
    assert.deepEqual(
      (await client.links()).map((link) => link.name),
      ['cart-1>valkey'],
    );
    await client.remove('cart-1>valkey');
    assert.deepEqual(await client.links(), []);
  });

  it('answers bad input with 4xx and the JSON error shape', async () => {
    await client.ensure('a', 0, { host: '127.0.0.1', port: 6379 });
    const cases: [string, string, string | undefined, number, string][] = [
      ['PUT', '/links/a/fault', '{"mode":"latency"}', 400, 'FAULT_PROXY_INPUT_INVALID'],
      ['PUT', '/links/a/fault', '{"mode":"teleport"}', 400, 'FAULT_PROXY_INPUT_INVALID'],
      ['PUT', '/links/a/fault', 'not json', 400, 'FAULT_PROXY_INPUT_INVALID'],
      [
        'PUT',
        '/links/a',
        '{"port":70000,"target":{"host":"x","port":1}}',
        400,
        'FAULT_PROXY_INPUT_INVALID',
      ],
      ['PUT', '/links/nope/fault', '{"mode":"pass"}', 404, 'LINK_NOT_FOUND'],
      ['GET', '/elsewhere', undefined, 404, 'LINK_NOT_FOUND'],
      ['POST', '/links/a', '{}', 400, 'FAULT_PROXY_INPUT_INVALID'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        ...(body ? { body } : {}),
      });
      assert.equal(response.status, status, `${method} ${path}`);
      const json = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(json.error.code, code);
      assert.ok(json.error.message.length > 0);
    }
    await client.remove('a');
  });

  it('a port another link holds is a 409, surfaced by the client as a typed error', async () => {
    const held = await client.ensure('first', 0, { host: '127.0.0.1', port: 6379 });
    await assert.rejects(
      client.ensure('second', held.port, { host: '127.0.0.1', port: 6379 }),
      (error: unknown) => error instanceof FaultProxyError && error.code === 'LINK_PORT_IN_USE',
    );
    await client.remove('first');
  });
});
