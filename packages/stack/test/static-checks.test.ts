// Static checks of the infra files: the nginx template renders to a configuration `nginx -t`
// accepts (both the local way and the compose way), and compose.yaml is valid and matches the
// topology. They start no long-running process.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { findExecutable } from '../src/local/binaries.js';
import { nginxArgs, nginxMainConfig } from '../src/local/nginx-config.js';
import {
  TEMPLATE_VARIABLES,
  renderTemplate,
  type TemplateVariable,
} from '../src/nginx-template.js';
import { SENTINEL_PROCESS_NAMES, SERVICES } from '../src/topology.js';

/** compose.yaml's services of the standalone topology: one per tier, each app `--scale`-able. */
const PROCESS_NAMES = ['valkey', 'nginx', ...SERVICES];

/**
 * The cluster profile's services. Unlike the local stack (where `valkey` is the first master),
 * compose keeps `valkey` standalone and adds three cluster nodes and a one-shot that joins them.
 */
const COMPOSE_CLUSTER_SERVICES = [
  'valkey-node-1',
  'valkey-node-2',
  'valkey-node-3',
  'valkey-cluster-init',
] as const;

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const SETUP_HINT = 'run ./scripts/setup.sh (Debian: apt-get install nginx docker-compose)';

interface ComposeFile {
  services: Record<
    string,
    { environment?: Record<string, string>; ports?: string[]; profiles?: string[] }
  >;
}

let workDir: string;
let template: string;
let compose: ComposeFile;

before(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'baton-static-'));
  template = await readFile(path.join(root, 'infra/nginx/baton.conf.template'), 'utf8');
  compose = parse(await readFile(path.join(root, 'compose.yaml'), 'utf8')) as ComposeFile;
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Writes the rendered template and the generated nginx.conf around it, then runs `nginx -t`. */
async function nginxTest(name: string, values: Record<TemplateVariable, string>): Promise<string> {
  const nginx = findExecutable('nginx');
  assert.ok(nginx, `nginx not found — ${SETUP_HINT}`);
  const dir = path.join(workDir, name);
  const include = path.join(dir, 'baton.conf');
  const config = path.join(dir, 'nginx.conf');
  await mkdir(dir, { recursive: true });
  await writeFile(include, renderTemplate(template, values));
  await writeFile(config, nginxMainConfig(dir, include));
  // The template logs to /dev/stdout, which nginx opens anew: that works for a file or a pipe (the
  // local stack's log file, docker's stdout) but not for the socket execFile would give it.
  const output = path.join(dir, 'nginx-t.log');
  const log = await open(output, 'w');
  try {
    const child = spawn(nginx, ['-t', ...nginxArgs(dir, config)], {
      stdio: ['ignore', log.fd, log.fd],
    });
    const [code] = (await once(child, 'close')) as [number | null];
    const text = await readFile(output, 'utf8');
    assert.equal(code, 0, `nginx -t failed:\n${text}`);
    return text;
  } finally {
    await log.close();
  }
}

describe('nginx template', () => {
  it('renders for the local stack into a configuration nginx -t accepts', async () => {
    const servers = (first: number, count: number) =>
      Array.from({ length: count }, (_, i) => `server 127.0.0.1:${first + i} max_fails=0;`).join(
        '\n    ',
      );
    const local: Record<TemplateVariable, string> = {
      EDGE_LISTEN: '127.0.0.1:18000',
      CART_LISTEN: '127.0.0.1:18001',
      ACCOUNT_LISTEN: '127.0.0.1:18002',
      GATEWAY_SERVERS: servers(18_010, 3),
      CART_SERVERS: servers(18_020, 5),
      // What a service with no ready replica gets (local/nginx-config.ts).
      ACCOUNT_SERVERS: 'server 127.0.0.1:1 down; # no ready replica',
      UPSTREAM_RESOLVER: '# local stack: no resolver',
    };
    assert.match(await nginxTest('local', local), /test is successful/);
  });

  it('renders with the values compose gives nginx into a configuration nginx -t accepts', async () => {
    const environment = compose.services.nginx?.environment ?? {};
    for (const name of TEMPLATE_VARIABLES)
      assert.ok(environment[name], `compose.yaml gives nginx no ${name}`);
    for (const service of SERVICES) {
      assert.match(
        String(environment[`${service.toUpperCase()}_SERVERS`]),
        new RegExp(`^server ${service}:\\d+ resolve max_fails=0;$`),
        `${service}'s upstream follows Docker's DNS`,
      );
    }
    // Service names resolve only on the compose network, and this machine's nginx (Debian's 1.22)
    // has no `resolve` (1.27.3+). Pointing each service name at 127.0.0.1 (same port) without
    // `resolve` keeps everything else exactly as compose renders it; nginx -t binds no port.
    const services = new Set(Object.keys(compose.services));
    const values = Object.fromEntries(
      TEMPLATE_VARIABLES.map((name) => {
        const value = String(environment[name]).replace(
          /\bserver ([\w-]+):(\d+) resolve /g,
          (line, host: string, port: string) =>
            services.has(host) ? `server 127.0.0.1:${port} ` : line,
        );
        return [name, value];
      }),
    ) as Record<TemplateVariable, string>;
    assert.match(await nginxTest('compose', values), /test is successful/);
  });

  it('is substituted by the official image for exactly its variables (NGINX_ENVSUBST_FILTER)', () => {
    // `$$` is compose's escape for `$`; the image's entrypoint hands the rest to awk as a regex.
    const raw = String(compose.services.nginx?.environment?.NGINX_ENVSUBST_FILTER);
    const filter = new RegExp(raw.replaceAll('$$', '$'));
    for (const name of TEMPLATE_VARIABLES) assert.match(name, filter);
    for (const name of ['upstream_addr', 'request_id', 'host', 'HOSTNAME', 'PATH', 'GATEWAY_10']) {
      assert.doesNotMatch(name, filter);
    }
  });
});

describe('compose.yaml', () => {
  it('has one service per tier (each app one service with replicas), and publishes only the edge port (and, in its profile, Prometheus on loopback)', () => {
    assert.deepEqual(
      Object.keys(compose.services).sort(),
      [
        ...PROCESS_NAMES,
        ...SENTINEL_PROCESS_NAMES,
        ...COMPOSE_CLUSTER_SERVICES,
        'prometheus',
      ].sort(),
    );
    const published = Object.entries(compose.services).filter(
      ([, service]) => service.ports?.length,
    );
    assert.deepEqual(
      published.map(([name]) => name),
      ['nginx', 'prometheus'],
    );
    assert.deepEqual(compose.services.prometheus?.profiles, ['observability']);
    assert.match(String(compose.services.prometheus?.ports?.[0]), /^127\.0\.0\.1:/);
  });

  it('is valid for docker compose (config -q)', async () => {
    const command = await composeCommand();
    assert.ok(command, `neither "docker compose" nor docker-compose is installed — ${SETUP_HINT}`);
    const [file, ...args] = command;
    await run(file!, [...args, '-f', path.join(root, 'compose.yaml'), 'config', '-q'], {
      cwd: root,
    });
  });

  it('runs the sentinel topology only under the sentinel profile, and that profile is valid', async () => {
    const profiled = Object.entries(compose.services)
      .filter(([, service]) => service.profiles?.includes('sentinel'))
      .map(([name]) => name);
    assert.deepEqual(profiled.sort(), [...SENTINEL_PROCESS_NAMES].sort());
    const command = await composeCommand();
    assert.ok(command, `neither "docker compose" nor docker-compose is installed — ${SETUP_HINT}`);
    const [file, ...args] = command;
    const withProfile = [...args, '--profile', 'sentinel', '-f', path.join(root, 'compose.yaml')];
    const { stdout } = await run(file!, [...withProfile, 'config', '--services'], { cwd: root });
    // Compose versions differ on whether `config --services` also lists other profiles' services
    // (2.26 does not): the profile's own and the unprofiled ones must be there, nothing else.
    const listed = stdout.trim().split('\n');
    for (const name of [...PROCESS_NAMES, ...SENTINEL_PROCESS_NAMES]) {
      assert.ok(listed.includes(name), `${name} is not in the sentinel profile: ${stdout}`);
    }
    const known = new Set<string>([
      ...PROCESS_NAMES,
      ...SENTINEL_PROCESS_NAMES,
      ...COMPOSE_CLUSTER_SERVICES,
    ]);
    assert.deepEqual(
      listed.filter((name) => !known.has(name)),
      [],
    );
  });
});

describe('compose.yaml cluster profile', () => {
  /** With YAML merge keys (`<<: *cluster-node`) resolved, as compose resolves them. */
  let merged: ComposeFile;
  before(async () => {
    const text = await readFile(path.join(root, 'compose.yaml'), 'utf8');
    merged = parse(text, { merge: true }) as ComposeFile;
  });

  it('runs the cluster only under the cluster profile, and that profile is valid', async () => {
    const profiled = Object.entries(merged.services)
      .filter(([, service]) => service.profiles?.includes('cluster'))
      .map(([name]) => name);
    assert.deepEqual(profiled.sort(), [...COMPOSE_CLUSTER_SERVICES].sort());
    const command = await composeCommand();
    assert.ok(command, `neither "docker compose" nor docker-compose is installed — ${SETUP_HINT}`);
    const [file, ...args] = command;
    const withProfile = [...args, '--profile', 'cluster', '-f', path.join(root, 'compose.yaml')];
    await run(file!, [...withProfile, 'config', '-q'], { cwd: root });
    const { stdout } = await run(file!, [...withProfile, 'config', '--services'], { cwd: root });
    assert.ok(
      COMPOSE_CLUSTER_SERVICES.every((name) => stdout.split('\n').includes(name)),
      stdout,
    );
  });

  it('lets every app take VALKEY_CLUSTER_NODES, and announces each node by its service name', () => {
    for (const name of PROCESS_NAMES.filter((n: string) => n !== 'valkey' && n !== 'nginx')) {
      assert.ok(
        'VALKEY_CLUSTER_NODES' in (merged.services[name]?.environment ?? {}),
        `${name} has no VALKEY_CLUSTER_NODES`,
      );
    }
    for (const name of COMPOSE_CLUSTER_SERVICES.slice(0, 3)) {
      const service = merged.services[name] as { environment?: Record<string, string> };
      assert.equal(service.environment?.NODE_NAME, name, `${name} announces another name`);
    }
  });
});

/** `docker compose` (v2 plugin) when it answers, else the standalone docker-compose. @private */
async function composeCommand(): Promise<string[] | null> {
  const docker = findExecutable('docker');
  if (docker) {
    const plugin = await run(docker, ['compose', 'version']).then(
      () => true,
      () => false,
    );
    if (plugin) return [docker, 'compose'];
  }
  const standalone = findExecutable('docker-compose');
  return standalone ? [standalone] : null;
}
