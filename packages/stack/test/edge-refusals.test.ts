// What the edge nginx refuses by itself, before any app sees the request, must still answer in the
// platform's JSON error shape: the apps' own limits (413, 431 in JSON) are useless to a client
// whose request never reaches them. Real nginx with the rendered template; no app runs, so the
// upstreams point at ports nothing listens on (the refusals happen before nginx connects).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../src/local/binaries.js';
import { nginxArgs, nginxMainConfig } from '../src/local/nginx-config.js';
import { freePort } from '../src/local/ports.js';
import { tcpAccepts, waitUntil } from '../src/local/probes.js';
import { TEMPLATE_VARIABLES, renderTemplate } from '../src/nginx-template.js';

const TEMPLATE = fileURLToPath(
  new URL('../../../../infra/nginx/baton.conf.template', import.meta.url),
);

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
  let dir: string;
  let nginx: ChildProcess;
  let edge: number;

  before(async () => {
    const binary = findExecutable('nginx');
    assert.ok(binary, 'nginx not found — run ./scripts/setup.sh');
    edge = await freePort();
    const values = Object.fromEntries(
      TEMPLATE_VARIABLES.map((name) => [name, '127.0.0.1:1']),
    ) as Record<(typeof TEMPLATE_VARIABLES)[number], string>;
    values.EDGE_LISTEN = `127.0.0.1:${edge}`;
    values.CART_LISTEN = `127.0.0.1:${await freePort()}`;
    values.ACCOUNT_LISTEN = `127.0.0.1:${await freePort()}`;
    dir = await mkdtemp(path.join(os.tmpdir(), 'baton-edge-'));
    const include = path.join(dir, 'baton.conf');
    const config = path.join(dir, 'nginx.conf');
    await writeFile(include, renderTemplate(await readFile(TEMPLATE, 'utf8'), values));
    await writeFile(config, nginxMainConfig(dir, include));
    nginx = spawn(binary, nginxArgs(dir, config), { stdio: 'ignore' });
    const ready = await waitUntil(tcpAccepts(edge), () => nginx.exitCode === null, 10_000);
    assert.equal(ready, 'ready', 'nginx did not start');
  });

  after(async () => {
    if (nginx.exitCode === null) {
      nginx.kill('SIGTERM');
      await once(nginx, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  });

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
