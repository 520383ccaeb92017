import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { rawRequest } from '@baton/hostile-http';
import { MAX_HEADER_BYTES, createHttpServer } from './http-server.js';

describe('createHttpServer', () => {
  const server = createHttpServer((_req, res) => res.end('ok'));
  let port: number;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  const errorOf = (body: string) =>
    (JSON.parse(body) as { error: { code: string; message: string } }).error;

  test('headers over MAX_HEADER_BYTES → 431 HEADERS_TOO_LARGE in JSON', async () => {
    const cookie = `SESSION=${'x'.repeat(MAX_HEADER_BYTES)}`;
    const answer = await rawRequest(port, {
      method: 'GET',
      target: '/',
      headers: [['Cookie', cookie]],
    });
    assert.equal(answer.status, 431);
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(errorOf(answer.body).code, 'HEADERS_TOO_LARGE');
    assert.match(errorOf(answer.body).message, /16 KiB/);
  });

  test('headers just under the limit reach the handler', async () => {
    const cookie = `SESSION=${'x'.repeat(MAX_HEADER_BYTES - 200)}`;
    const answer = await rawRequest(port, {
      method: 'GET',
      target: '/',
      headers: [['Cookie', cookie]],
    });
    assert.equal(answer.status, 200);
  });

  test('a control character in a header or a broken request line → 400 MALFORMED_REQUEST', async () => {
    for (const request of [
      { method: 'GET', target: '/', headers: [['X-Auth-Token', 'a\u0001b']] as [string, string][] },
      { method: 'get', target: '/' },
      { method: 'GET', target: '/a\u0000b' },
    ]) {
      const answer = await rawRequest(port, request);
      assert.equal(answer.status, 400, JSON.stringify(request));
      assert.equal(errorOf(answer.body).code, 'MALFORMED_REQUEST');
      assert.match(errorOf(answer.body).message, /HPE_/);
    }
  });
});
