import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { expectWellBehaved, misbehaviour } from './answer-check.js';
import { pathSegment, percentEncode } from './arbitraries.js';
import { oneLine } from './header-line.js';
import { assertOversizedBodiesRefused, oversizedRequest } from './oversized-bodies.js';
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

  test('oversized requests arrive whole, framed by length or as one chunk', async () => {
    const requests = fc.sample(
      oversizedRequest({ routes: ['POST /big'], sizes: [20_000], headers: [['X-A', 'b']] }),
      { numRuns: 20, seed: 1 },
    );
    const framings = new Set<string>();
    for (const request of requests) {
      assert.deepEqual(request.headers?.slice(0, 2), [
        ['X-A', 'b'],
        ['Content-Type', 'application/json'],
      ]);
      framings.add(String(request.headers?.length));
      const answer = await rawRequest(port, request);
      const echo = JSON.parse(answer.body) as { url: string; method: string; body: string };
      assert.deepEqual([echo.method, echo.url, echo.body], ['POST', '/big', 'x'.repeat(20_000)]);
    }
    assert.deepEqual([...framings].sort(), ['2', '3'], 'both framings are drawn');
  });

  test('the oversized-bodies property fails on a server that accepts them', async () => {
    await assert.rejects(
      assertOversizedBodiesRefused((request) => rawRequest(port, request), {
        routes: ['POST /big'],
        sizes: [200],
        numRuns: 2,
      }),
      (error: Error) => /200 !== 413/.test(String(error.cause)),
    );
  });

  test('expectWellBehaved resolves a listed success and throws, naming the request, on others', async () => {
    const answer = await expectWellBehaved(port, { method: 'GET', target: '/ok' }, [200]);
    assert.equal(answer.status, 200);
    await assert.rejects(
      expectWellBehaved(port, { method: 'GET', target: '/not-listed' }),
      /GET \/not-listed: status 200/,
    );
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

  test('oneLine leaves no character whose low byte is CR or LF, and the rest as it was', () => {
    assert.equal(oneLine('a\r\nb\u010a\u010dc\u0100'), 'a  b  c\u0100');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const line = Array.from(oneLine(text));
        return (
          line.length === Array.from(text).length &&
          line.every((c) => ![10, 13].includes(c.charCodeAt(0) & 0xff))
        );
      }),
    );
  });

  test('path segments never hold CR or LF (they would end the request line)', () => {
    fc.assert(fc.property(pathSegment(), (segment) => !/[\r\n]/.test(segment)));
  });
});
