import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { misbehaviour } from './answer-check.js';
import { pathSegment, percentEncode } from './arbitraries.js';
import { NoAnswerError, rawRequest } from './raw-request.js';

describe('rawRequest', () => {
  const server = createServer((req, res) => {
    if (req.url === '/hang-up') return req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const echo = JSON.stringify({
        url: req.url,
        method: req.method,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === '/chunked') res.write(echo.slice(0, 5));
      res.end(req.url === '/chunked' ? echo.slice(5) : echo);
    });
  });
  let port: number;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  test('sends the target and body as given, and reads length-framed and chunked answers', async () => {
    const plain = await rawRequest(port, { method: 'PUT', target: '/a%E0b', body: 'héllo' });
    assert.equal(plain.status, 200);
    assert.deepEqual(JSON.parse(plain.body), { url: '/a%E0b', method: 'PUT', body: 'héllo' });
    const chunked = await rawRequest(port, { method: 'GET', target: '/chunked' });
    assert.equal(JSON.parse(chunked.body).url, '/chunked');
  });

  test('a server that hangs up without answering is a NoAnswerError', async () => {
    await assert.rejects(rawRequest(port, { method: 'GET', target: '/hang-up' }), NoAnswerError);
  });
});

describe('misbehaviour', () => {
  const json = (status: number, body: unknown) => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });

  test('accepts a 4xx JSON error and the listed successes only', () => {
    assert.equal(
      misbehaviour(json(404, { error: { code: 'NOT_FOUND', message: 'No route' } })),
      undefined,
    );
    assert.equal(misbehaviour(json(200, {}), { success: [200] }), undefined);
    assert.match(misbehaviour(json(200, {})) ?? '', /status 200/);
  });

  test('refuses a 5xx, an HTML error, and an error without code or message', () => {
    assert.match(
      misbehaviour(json(500, { error: { code: 'INTERNAL', message: 'x' } })) ?? '',
      /500/,
    );
    assert.match(
      misbehaviour({ status: 400, headers: { 'content-type': 'text/html' }, body: '<h1>' }) ?? '',
      /text\/html/,
    );
    assert.match(misbehaviour(json(400, { message: 'x' })) ?? '', /error code/);
    assert.match(misbehaviour(json(400, { error: { code: 'BAD' } })) ?? '', /message/);
  });
});

describe('arbitraries', () => {
  test('percentEncode leaves only unreserved characters and escapes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) =>
        /^([A-Za-z0-9._~-]|%[0-9A-F]{2})*$/.test(percentEncode(text)),
      ),
    );
  });

  test('path segments never hold CR or LF (they would end the request line)', () => {
    fc.assert(fc.property(pathSegment(), (segment) => !/[\r\n]/.test(segment)));
  });
});
