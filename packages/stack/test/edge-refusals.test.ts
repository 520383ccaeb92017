// What the edge nginx refuses by itself, before any app sees the request, must still answer in the
// platform's JSON error shape: the apps' own limits (413, 431 in JSON) are useless to a client
// whose request never reaches them. Real nginx with the rendered template; no app runs, so the
// upstreams point at ports nothing listens on (the refusals happen before nginx connects).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type TemplateNginx, startTemplateNginx } from './template-nginx.js';

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

function send(port: number, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: body ? 'POST' : 'GET', path: '/api/cart', headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body: text,
          }),
        );
      },
    );
    // nginx answers 413 before reading the body and may close while it is still being sent.
    req.on('error', reject);
    req.end(body);
  });
}

describe('the edge answers its own refusals in JSON', () => {
  let nginx: TemplateNginx;
  let edge: number;

  before(async () => {
    nginx = await startTemplateNginx(['127.0.0.1:1', '127.0.0.1:2']);
    edge = nginx.edge;
  });

  after(() => nginx.stop());

  it('a body over 1 MB: 413 PAYLOAD_TOO_LARGE', async () => {
    const answer = await send(
      edge,
      { 'content-type': 'application/json' },
      Buffer.alloc(1_100_000, 'a'),
    );
    assert.equal(answer.status, 413);
    assert.match(answer.contentType ?? '', /^application\/json/);
    assert.equal(JSON.parse(answer.body).error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('a cookie over 8 kB: 431 HEADERS_TOO_LARGE', async () => {
    const answer = await send(edge, { cookie: `SESSION=${'a'.repeat(20_000)}` });
    assert.equal(answer.status, 431);
    assert.match(answer.contentType ?? '', /^application\/json/);
    assert.equal(JSON.parse(answer.body).error.code, 'HEADERS_TOO_LARGE');
  });
});
