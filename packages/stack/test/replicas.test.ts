// Dynamic replicas on the local stack against the real apps, valkey-server and nginx: scale out
// and in, deploy a new build, recreate a replica on a new port. What a client at the edge sees
// (served-by names, versions, its cart) is asserted along with status() and nginx's config.
// Needs `npm run build` (the apps' dist/) first; turbo's test task does that.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { occupyWhenFree } from '../src/impostor-server.js';
import type { ProcessStatus } from '../src/stack-driver.js';
import type { Stack } from '../src/stack.js';
import { edgeSender, type CookieJar, type EdgeSend } from './stack-clients.js';
import { CLI, temporaryStack, type TemporaryStack } from './temporary-stack.js';

const run = promisify(execFile);

let temporary: TemporaryStack;
let stack: Stack;
let send: EdgeSend;
/** One shopper whose cart must survive every change of replicas. */
const jar: CookieJar = {};

before(async () => {
  temporary = await temporaryStack();
  stack = temporary.stack;
  send = edgeSender(stack.edgeUrl, 10_000);
});

after(() => temporary.dispose());

describe('replicas of the local stack', { timeout: 300_000 }, () => {
  it('starts two replicas of each service, each with its service and address', async () => {
    await stack.up();
    const carts = await replicas('cart');
    assert.deepEqual(
      carts.map((entry) => entry.name),
      ['cart-1', 'cart-2'],
    );
    for (const entry of carts) {
      assert.equal(entry.service, 'cart');
      assert.equal(entry.address, `127.0.0.1:${entry.port}`);
    }
    assert.equal((await send(jar, 'POST', '/cart/apple')).status, 200);
  });

  it('scale out: new replicas join nginx once ready and serve the existing cart', async () => {
    await stack.scale('cart', 4);
    const carts = await replicas('cart');
    assert.deepEqual(
      carts.map((entry) => entry.name),
      ['cart-1', 'cart-2', 'cart-3', 'cart-4'],
    );
    assert.ok(carts.every((entry) => entry.state === 'running'));
    assert.deepEqual(
      await upstreamPorts('cart'),
      carts.map((entry) => entry.port),
    );
    const seen = await servedBy(16);
    for (const name of ['cart-3', 'cart-4']) {
      assert.deepEqual(seen.get(name)?.cart, ['apple'], `${name} did not serve the cart`);
    }
    assert.deepEqual([...seen.keys()].sort(), ['cart-1', 'cart-2', 'cart-3', 'cart-4']);
  });

  it('scale in: leaving replicas are out of nginx, then stopped; the cart stays', async () => {
    const before = await replicas('cart');
    await stack.scale('cart', 1);
    assert.deepEqual(
      (await replicas('cart')).map((entry) => entry.name),
      ['cart-1'],
    );
    for (const entry of before.slice(1)) assert.ok(isGone(entry.pid!), `${entry.name} still runs`);
    assert.deepEqual(await upstreamPorts('cart'), [before[0]!.port]);
    const seen = await servedBy(6);
    assert.deepEqual([...seen.keys()], ['cart-1']);
    assert.deepEqual(seen.get('cart-1')?.cart, ['apple']);
  });

  it('deploy replaces every replica with new names running the new version', async () => {
    await stack.scale('cart', 2);
    const before = await replicas('cart');
    await stack.deploy('cart', { version: 'v2' });
    const afterDeploy = await replicas('cart');
    assert.equal(afterDeploy.length, 2);
    for (const entry of afterDeploy) {
      assert.ok(!before.some((old) => old.name === entry.name), `${entry.name} is an old name`);
      // `Connection: close`: a kept-alive socket of this test would hold the replica's drain later.
      const health = await fetch(`http://${entry.address}/healthz`, {
        headers: { connection: 'close' },
      }).then((r) => r.json());
      assert.deepEqual(health, { status: 'ok', instance: entry.name, version: 'v2' });
    }
    for (const entry of before) assert.ok(isGone(entry.pid!), `${entry.name} still runs`);
    for (let i = 0; i < 4; i++) {
      const response = await send(jar, 'GET', '/cart');
      await response.arrayBuffer();
      assert.equal(response.headers.get('x-build-version'), 'dev, v2');
    }
  });

  it('recreate moves the port, and nginx never answers from the old one', async () => {
    const [target] = await replicas('cart');
    const oldPort = target!.port!;
    // The impostor takes the old port the moment it is free, as another container would.
    const impostor = occupyWhenFree(target!.address!);
    const counts = { ok: 0, failed: 0, impostor: 0, resent: 0 };
    let recreatedAt = Infinity;
    let servedAgainAt = Infinity;
    let loading = true;
    const load = (async () => {
      while (loading) {
        // A reload closes the idle keep-alive connections of nginx's old workers; a GET written
        // onto one at that instant gets no answer, and HTTP clients (browsers, the e2e clients)
        // send it again on a new connection (RFC 9112 9.3.1). So does this load, once, and
        // counts it; an HTTP error or a second miss is a failure.
        let response = await send(jar, 'GET', '/cart').catch(() => null);
        if (!response) {
          counts.resent++;
          response = await send(jar, 'GET', '/cart').catch(() => null);
        }
        const body = response?.ok ? ((await response.json()) as { servedBy?: string }) : null;
        if (!body) counts.failed++;
        else if (body.servedBy === 'impostor') counts.impostor++;
        else counts.ok++;
        if (body?.servedBy === target!.name && Date.now() > recreatedAt) {
          servedAgainAt = Math.min(servedAgainAt, Date.now());
        }
      }
    })();
    try {
      await stack.recreate(target!.name);
      recreatedAt = Date.now();
      const moved = (await replicas('cart')).find((entry) => entry.name === target!.name)!;
      assert.notEqual(moved.port, oldPort);
      assert.equal(await impostor.listening, true, 'the old port was never freed');
      while (servedAgainAt === Infinity && Date.now() < recreatedAt + 10_000) await sleep(50);
      assert.ok(servedAgainAt < Infinity, `${target!.name} did not serve within 10 s`);
      await sleep(1_000);
    } finally {
      loading = false;
      await load;
      await impostor.close();
    }
    assert.equal(counts.impostor, 0, `answers from the old port: ${JSON.stringify(counts)}`);
    assert.equal(counts.failed, 0, `failed requests: ${JSON.stringify(counts)}`);
    assert.equal(impostor.hits(), 0, 'nginx sent requests to the old port');
    assert.ok(counts.ok > 10, JSON.stringify(counts));
  });

  it('refuses bad input with one line and exit 1', async () => {
    for (const args of [
      ['scale', 'cart', '0'],
      ['scale', 'cart', '17'],
      ['scale', 'cart', 'two'],
      ['scale', 'web', '2'],
      ['recreate', 'valkey'],
      ['recreate', 'cart-9'],
      ['deploy', 'cart', '--version', 'a b'],
    ]) {
      const failure = await run(process.execPath, [CLI, ...args], { env: temporary.cliEnv }).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      assert.ok(failure, `${args.join(' ')} succeeded`);
      assert.equal(failure.code, 1, args.join(' '));
      assert.match(failure.stderr, /^baton-stack: .+\n$/, args.join(' '));
    }
  });
});

/** The replicas of `service` in status order. @private */
async function replicas(service: string): Promise<ProcessStatus[]> {
  return (await stack.status()).filter((entry) => entry.service === service);
}

/** The ports in the generated nginx upstream of `service`, in order. @private */
async function upstreamPorts(service: string): Promise<number[]> {
  const config = await readFile(path.join(temporary.stateDir, 'nginx', 'baton.conf'), 'utf8');
  const block = config.split(`upstream baton_${service} {`)[1]!.split('}')[0]!;
  return [...block.matchAll(/server 127\.0\.0\.1:(\d+) /g)].map((match) => Number(match[1]));
}

/** `count` reads of the shopper's cart: the last cart each replica answered, by replica. @private */
async function servedBy(count: number): Promise<Map<string, { cart: string[] }>> {
  const seen = new Map<string, { cart: string[] }>();
  for (let i = 0; i < count; i++) {
    const body = (await (await send(jar, 'GET', '/cart')).json()) as {
      servedBy: string;
      cart: string[];
    };
    seen.set(body.servedBy, body);
  }
  return seen;
}

/** Gone, or a zombie waiting for its parent. @private */
function isGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}
