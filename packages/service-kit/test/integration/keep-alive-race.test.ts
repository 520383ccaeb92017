// The keep-alive race between nginx and Node, for real: nginx runs the platform's own template
// (infra/nginx/baton.conf.template, through @baton/stack's renderer) in front of Node servers
// started by serve(), the function every app's main uses. POSTs go out in bursts on pooled
// keep-alive connections with idle gaps longer than Node's keep-alive timeout.
//
// The race: when Node closes an idle upstream connection just as nginx writes a request onto it,
// nginx answers 502, and never retries a POST. The defence is the ordering: nginx's upstream
// keepalive_timeout (1 s in the template) below Node's keepAliveTimeout (65 s), so nginx always
// closes first. Here both are scaled down so the gaps take seconds: nginx 0.5 s, Node 1 s (Node
// 24 closes an idle socket keepAliveTimeoutBuffer = 1 s after that), gaps 2.2 s.
//
// The last case inverts the ordering (nginx 5 s, Node 1 s) and aims bursts at the moment Node
// closes its idle connections: it must meet 502s, which shows the rig can see the race at all.
// A first case checks the template's real values against the apps' defaults.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, type Server, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import {
  NO_RESOLVER,
  freePort,
  nginxArgs,
  nginxMainConfig,
  renderTemplate,
  tcpAccepts,
  upstreamServers,
  waitUntil,
} from '@baton/stack';
import { loadConfig, serviceEnvSchema } from '../../src/config.js';
import { KEEP_ALIVE_TIMEOUT_MS, serve } from '../../src/graceful-server.js';
import { Readiness } from '../../src/readiness.js';

const TEMPLATE = fileURLToPath(
  new URL('../../../../../infra/nginx/baton.conf.template', import.meta.url),
);
/** What the template sets on every upstream; the test scales it down. */
const TEMPLATE_KEEPALIVE = 'keepalive_timeout 1s;';
const NODE_KEEP_ALIVE_MS = 1_000;
/** The wrong-ordering case stops at its first 502; this caps it (about 2 s per try). */
const MAX_WRONG_ORDER_BURSTS = 30;

interface Rig {
  edge: number;
  /** Statuses of every answer, in order. */
  statuses: number[];
  stop(): Promise<void>;
}

/** Two Node upstreams behind nginx (every upstream of the template points at them). */
async function startRig(nginxKeepalive: string): Promise<Rig> {
  const servers: Server[] = [];
  for (let i = 0; i < 2; i++) {
    servers.push(
      await serve(
        (req, res) => {
          req.resume();
          req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
        },
        {
          host: '127.0.0.1',
          port: 0,
          logger: pino({ level: 'silent' }),
          readiness: new Readiness(undefined as never),
          shutdownTimeoutMs: 1_000,
          keepAliveTimeoutMs: NODE_KEEP_ALIVE_MS,
        },
      ),
    );
  }
  const [a, b] = servers.map((s) => `127.0.0.1:${(s.address() as AddressInfo).port}`) as [
    string,
    string,
  ];
  const edge = await freePort();
  const template = await readFile(TEMPLATE, 'utf8');
  assert.ok(
    template.split(TEMPLATE_KEEPALIVE).length - 1 >= 3,
    `every upstream of the template sets "${TEMPLATE_KEEPALIVE}"`,
  );
  const rendered = renderTemplate(template.replaceAll(TEMPLATE_KEEPALIVE, nginxKeepalive), {
    EDGE_LISTEN: `127.0.0.1:${edge}`,
    CART_LISTEN: `127.0.0.1:${await freePort()}`,
    ACCOUNT_LISTEN: `127.0.0.1:${await freePort()}`,
    GATEWAY_SERVERS: upstreamServers([a, b]),
    CART_SERVERS: upstreamServers([a, b]),
    ACCOUNT_SERVERS: upstreamServers([a, b]),
    UPSTREAM_RESOLVER: NO_RESOLVER,
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'baton-keepalive-'));
  const include = path.join(dir, 'baton.conf');
  const config = path.join(dir, 'nginx.conf');
  await writeFile(include, rendered);
  await writeFile(config, nginxMainConfig(dir, include));
  const nginx: ChildProcess = spawn(nginxBinary(), nginxArgs(dir, config), {
    // Its error log (stderr) names each reset upstream connection: noise here.
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const ready = await waitUntil(tcpAccepts(edge), () => nginx.exitCode === null, 10_000);
  assert.equal(ready, 'ready', 'nginx did not start');
  return {
    edge,
    statuses: [],
    async stop() {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One POST on the pooled agent; a failed request counts as status 0. Not a cart route: the edge
 * gives a keyless cart write a key of its own and retries it on the other replica, which would
 * hide the race; a POST to any other route is never sent twice, so the race shows as a 502.
 */
const RACE_PATH = '/api/account/login';

function post(rig: Rig, agent: Agent): Promise<void> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: rig.edge, method: 'POST', path: RACE_PATH, agent },
      (res) => {
        res.resume();
        res.on('end', () => {
          rig.statuses.push(res.statusCode ?? 0);
          resolve();
        });
      },
    );
    req.on('error', () => {
      rig.statuses.push(0);
      resolve();
    });
    req.end('{}');
  });
}

/** Bursts of `width` concurrent POSTs separated by `gapsMs`, all on one keep-alive pool. */
async function bursts(rig: Rig, width: number, gapsMs: number[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: width });
  try {
    await Promise.all(Array.from({ length: width }, () => post(rig, agent)));
    for (const gap of gapsMs) {
      await sleep(gap);
      await Promise.all(Array.from({ length: width }, () => post(rig, agent)));
    }
  } finally {
    agent.destroy();
  }
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('keep-alive race through the nginx template', () => {
  it('the template closes idle upstream connections before Node does (and before a drain ends)', async () => {
    const template = await readFile(TEMPLATE, 'utf8');
    const timeouts = [...template.matchAll(/^\s*keepalive_timeout\s+(\d+)s;/gm)].map(
      (m) => Number(m[1]) * 1000,
    );
    assert.ok(timeouts.length >= 3, 'every upstream sets keepalive_timeout in seconds');
    const env = loadConfig(serviceEnvSchema, { INSTANCE_ID: 'x', PORT: '1' });
    for (const nginxMs of timeouts) {
      assert.ok(nginxMs < KEEP_ALIVE_TIMEOUT_MS, `nginx ${nginxMs} ms < serve() default`);
      assert.ok(
        nginxMs < env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        `nginx ${nginxMs} ms < HTTP_KEEP_ALIVE_TIMEOUT_MS`,
      );
      assert.ok(nginxMs < env.SHUTDOWN_TIMEOUT_MS, `nginx ${nginxMs} ms < SHUTDOWN_TIMEOUT_MS`);
    }
  });

  const rigs: Rig[] = [];
  after(async () => {
    for (const rig of rigs) await rig.stop();
  });

  it('the template ordering (nginx closes idle upstream connections first) gives 0 502s', async () => {
    const rig = await startRig('keepalive_timeout 500ms;');
    rigs.push(rig);
    await bursts(rig, 8, [2_200, 2_200, 2_200]);
    const bad = count(rig.statuses, 502);
    console.log(
      `keep-alive race (nginx 0.5 s < Node ${NODE_KEEP_ALIVE_MS / 1000} s, gaps 2.2 s): requests=${rig.statuses.length}, 502s=${bad}, failed=${count(rig.statuses, 0)}`,
    );
    assert.equal(rig.statuses.length, 32);
    assert.deepEqual(
      rig.statuses.filter((s) => s !== 201),
      [],
    );
  });

  it('the wrong ordering (nginx keeps them longer than Node) meets the race: 502s', async () => {
    const rig = await startRig('keepalive_timeout 5s;');
    rigs.push(rig);
    // Node closes an idle socket keepAliveTimeout + keepAliveTimeoutBuffer after its last answer:
    // aim each burst at that moment, 3 ms later each time (timers run late on a busy machine), until
    // a 502 shows up.
    const closesAt = NODE_KEEP_ALIVE_MS + 1_000;
    let bursts502 = 0;
    for (let i = 0; i < MAX_WRONG_ORDER_BURSTS && count(rig.statuses, 502) === 0; i++) {
      await bursts(rig, 8, [closesAt - 10 + ((i * 3) % 40)]);
      bursts502 = i + 1;
    }
    console.log(
      `keep-alive race (nginx 5 s > Node ${NODE_KEEP_ALIVE_MS / 1000} s, gaps ≈ Node's close): requests=${rig.statuses.length}, 502s=${count(rig.statuses, 502)} after ${bursts502} bursts`,
    );
    assert.ok(count(rig.statuses, 502) > 0, 'the race did not show: is the rig still racing?');
  });
});

/** @private nginx on PATH, or where Debian puts it (outside a non-root PATH). */
function nginxBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/sbin')) {
    if (existsSync(path.join(dir, 'nginx'))) return path.join(dir, 'nginx');
  }
  return 'nginx';
}
