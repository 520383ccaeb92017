import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { gatewayRig } from './gateway-rig.js';
import { type Answer, type GatewayUnderTest, request } from './harness.js';

/** Polls `path` until it answers `status` or `timeoutMs` passes; returns the last answer. */
async function until(gateway: GatewayUnderTest, path: string, status: number, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  let res: Answer;
  do {
    res = await request(gateway.url, 'GET', path);
    if (res.status === status) return res;
    await sleep(100);
  } while (Date.now() < deadline);
  return res;
}

describe('health, readiness, metrics and unknown routes', () => {
  const rig = gatewayRig();

  it('/healthz answers 200 with the instance and its build', async () => {
    const res = await request(rig.gateway.url, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: 'ok', instance: 'gateway-1', version: 'dev' });
  });

  it('/readyz is 200 with Valkey up, 503 once it stops while /healthz stays 200, and recovers', async () => {
    assert.equal((await until(rig.gateway, '/readyz', 200)).status, 200);
    await rig.valkey.stop();
    const down = await until(rig.gateway, '/readyz', 503);
    assert.equal(down.status, 503);
    assert.equal((down.json() as { status: string }).status, 'not ready');
    assert.equal((await request(rig.gateway.url, 'GET', '/healthz')).status, 200);
    await rig.valkey.restart();
    assert.equal((await until(rig.gateway, '/readyz', 200)).status, 200);
  });

  it('/metrics exposes Prometheus text with the request counter', async () => {
    await request(rig.gateway.url, 'GET', '/api/catalog');
    const res = await request(rig.gateway.url, 'GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/plain/);
    assert.match(res.body, /baton_http_requests_total\{[^}]*route="\/api\/catalog\{\/\*rest\}"/);
    assert.match(res.body, /instance="gateway-1"/);
  });

  for (const [method, path] of [
    ['GET', '/nope'],
    ['GET', '/api/unknown'],
    ['POST', '/'],
    ['GET', '/package.json'],
  ] as const) {
    it(`${method} ${path} answers 404 JSON`, async () => {
      const res = await request(rig.gateway.url, method, path);
      assert.equal(res.status, 404);
      assert.match(String(res.headers['content-type']), /application\/json/);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'NOT_FOUND');
    });
  }
});
