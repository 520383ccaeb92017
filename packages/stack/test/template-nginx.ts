// A real nginx running the platform's template (infra/nginx/baton.conf.template), for tests of
// what nginx itself does: refusals, retries. Every upstream of the template points at `upstreams`
// (ports of the test's own servers, or ports nothing listens on).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable } from '../src/local/binaries.js';
import { nginxArgs, nginxMainConfig } from '../src/local/nginx-config.js';
import { freePort } from '../src/local/ports.js';
import { tcpAccepts, waitUntil } from '../src/local/probes.js';
import { NO_RESOLVER, renderTemplate, upstreamServers } from '../src/nginx-template.js';

const TEMPLATE = fileURLToPath(
  new URL('../../../../infra/nginx/baton.conf.template', import.meta.url),
);

export interface TemplateNginx {
  /** The edge server's port. */
  edge: number;
  /** The internal cart listener's port. */
  cart: number;
  stop(): Promise<void>;
}

/** Starts nginx with the rendered template; `upstreams` are the two replicas of every service. */
export async function startTemplateNginx(upstreams: [string, string]): Promise<TemplateNginx> {
  const binary = findExecutable('nginx');
  assert.ok(binary, 'nginx not found — run ./scripts/setup.sh');
  const servers = upstreamServers(upstreams);
  const edge = await freePort();
  const cart = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'baton-nginx-'));
  const include = path.join(dir, 'baton.conf');
  const config = path.join(dir, 'nginx.conf');
  const rendered = renderTemplate(await readFile(TEMPLATE, 'utf8'), {
    EDGE_LISTEN: `127.0.0.1:${edge}`,
    CART_LISTEN: `127.0.0.1:${cart}`,
    ACCOUNT_LISTEN: `127.0.0.1:${await freePort()}`,
    GATEWAY_SERVERS: servers,
    CART_SERVERS: servers,
    ACCOUNT_SERVERS: servers,
    UPSTREAM_RESOLVER: NO_RESOLVER,
  });
  await writeFile(include, rendered);
  await writeFile(config, nginxMainConfig(dir, include));
  const nginx: ChildProcess = spawn(binary, nginxArgs(dir, config), { stdio: 'ignore' });
  const ready = await waitUntil(tcpAccepts(edge), () => nginx.exitCode === null, 10_000);
  assert.equal(ready, 'ready', 'nginx did not start');
  return {
    edge,
    cart,
    async stop() {
      if (nginx.exitCode === null) {
        nginx.kill('SIGTERM');
        await once(nginx, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
