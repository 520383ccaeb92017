import { writeFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findExecutable } from '@baton/bench';
import type { ProcessSupervisor, RunningProcess } from '@baton/process-supervisor';
import {
  type Probe,
  freePort,
  httpOk,
  nginxArgs,
  nginxMainConfig,
  tcpAccepts,
  waitUntil,
} from '@baton/stack';

/** The cookie the sticky upstream hashes; see {@link upstreamConfig}. */
export const AFFINITY_COOKIE = 'route';

/** How nginx spreads requests over the two replicas. */
export type Balancing = 'round-robin' | 'sticky';

export interface ReplicaPairOptions {
  readonly supervisor: ProcessSupervisor;
  /** A directory of its own for the nginx files and the logs. */
  readonly dir: string;
  /** Names this pair in process names and errors (`node-local`, `baton`). */
  readonly label: string;
  /** The replicas' entry point (`node <main>`). */
  readonly main: string;
  /** Added to the variables every Baton app reads (INSTANCE_ID, PORT, VALKEY_URL, …). */
  readonly env: NodeJS.ProcessEnv;
  /** Added to `env` for one replica (`cart-2` runs another version). */
  readonly replicaEnv?: Readonly<
    Partial<Record<(typeof REPLICA_NAMES)[number], NodeJS.ProcessEnv>>
  >;
  readonly valkeyUrl: string;
  readonly balancing: Balancing;
}

/** Two replicas, `cart-1` and `cart-2`, behind one nginx on 127.0.0.1. */
export interface ReplicaPair {
  readonly label: string;
  readonly url: string;
  readonly replicas: ReadonlyMap<string, RunningProcess>;
  /** Each replica's own address, past nginx: `cart-1` → `http://127.0.0.1:<port>`. */
  readonly replicaUrls: ReadonlyMap<string, string>;
  readonly nginx: RunningProcess;
  /** The `upstream` block nginx runs with, to print. */
  readonly upstream: string;
}

export const REPLICA_NAMES = ['cart-1', 'cart-2'] as const;

/**
 * Starts two replicas of one app and an nginx in front of them, every process through the lab's
 * supervisor (recorded and stopped by PID), all on free 127.0.0.1 ports; resolves once both
 * replicas answer `/readyz` and nginx accepts. The nginx.conf around the upstream is
 * `@baton/stack`'s, the one the local stack runs.
 */
export async function startReplicaPair(options: ReplicaPairOptions): Promise<ReplicaPair> {
  const { supervisor, dir, label } = options;
  await mkdir(path.join(dir, 'nginx'), { recursive: true });
  const [listen, ...ports] = await distinctPorts(1 + REPLICA_NAMES.length);
  const replicas = new Map<string, RunningProcess>();
  await Promise.all(
    REPLICA_NAMES.map(async (name, index) => {
      const port = ports[index]!;
      const logFile = path.join(dir, `${name}.log`);
      const proc = await supervisor.start({
        name: `${label}/${name}`,
        command: process.execPath,
        args: [options.main],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ...options.env,
          ...options.replicaEnv?.[name],
          INSTANCE_ID: name,
          HOST: '127.0.0.1',
          PORT: String(port),
          VALKEY_URL: options.valkeyUrl,
          COOKIE_SECURE: 'false',
          LOG_LEVEL: 'warn',
          SHUTDOWN_TIMEOUT_MS: '1000',
        },
        cwd: dir,
        logFile,
        stopSignal: 'SIGTERM',
      });
      await ready(`${label}/${name}`, httpOk(port, '/readyz'), proc, logFile);
      replicas.set(name, proc);
    }),
  );

  const upstream = upstreamConfig(options.balancing, ports);
  const nginxDir = path.join(dir, 'nginx');
  const include = path.join(nginxDir, 'lab.conf');
  const config = path.join(nginxDir, 'nginx.conf');
  await writeFile(include, [upstream, serverConfig(listen!)].join('\n'));
  await writeFile(config, nginxMainConfig(nginxDir, include));
  const nginxLog = path.join(dir, 'nginx.log');
  const nginx = await supervisor.start({
    name: `${label}/nginx`,
    command: findExecutable('nginx'),
    args: nginxArgs(nginxDir, config),
    env: { PATH: process.env.PATH ?? '' },
    cwd: dir,
    logFile: nginxLog,
    stopSignal: 'SIGQUIT',
  });
  await ready(`${label}/nginx`, tcpAccepts(listen!), nginx, nginxLog);
  const replicaUrls = new Map(
    REPLICA_NAMES.map((name, index) => [name, `http://127.0.0.1:${ports[index]!}`]),
  );
  return { label, url: `http://127.0.0.1:${listen}`, replicas, replicaUrls, nginx, upstream };
}

/**
 * The upstream both labs put in front of the replicas. `sticky` pins each user by the
 * `route` cookie the lab's clients carry, the way a load balancer's affinity cookie does
 * (open-source nginx cannot issue one itself; hashing the app's own session cookie would not pin
 * the first request, which has none). `consistent` (ketama) keeps the others where they are when
 * one replica goes away. Round-robin is the platform's own: a shared `zone`, no affinity.
 */
export function upstreamConfig(balancing: Balancing, ports: readonly number[]): string {
  return [
    'upstream lab_replicas {',
    '    zone lab_replicas 64k;',
    ...(balancing === 'sticky' ? [`    hash $cookie_${AFFINITY_COOKIE} consistent;`] : []),
    ...ports.map((port) => `    server 127.0.0.1:${port} max_fails=0;`),
    '    keepalive 16;',
    '}',
  ].join('\n');
}

/**
 * @private Like infra/nginx/baton.conf.template's listeners: HTTP/1.1 keep-alive upstream, and a
 * refused connection (a killed replica) retried on the other one, POSTs included (a refused
 * connection never reached an app).
 */
function serverConfig(listen: number): string {
  return [
    'server {',
    `    listen 127.0.0.1:${listen};`,
    '    access_log off;',
    '    location / {',
    '        proxy_pass http://lab_replicas;',
    '        proxy_http_version 1.1;',
    '        proxy_set_header Connection "";',
    '        proxy_next_upstream error timeout http_502 http_503;',
    '        proxy_next_upstream_tries 2;',
    '        proxy_connect_timeout 2s;',
    '    }',
    '}',
    '',
  ].join('\n');
}

/** apps/cart-service's entry point, found through the workspace dependency. */
export function cartServiceMain(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@baton/cart-service/package.json');
  return path.join(path.dirname(manifest), 'dist', 'src', 'main.js');
}

/** @private */
async function ready(
  name: string,
  probe: Probe,
  proc: RunningProcess,
  logFile: string,
): Promise<void> {
  const outcome = await waitUntil(probe, () => !proc.exited, 20_000);
  if (outcome !== 'ready') throw new Error(`${name} ${outcome} while starting; see ${logFile}`);
}

/** @private `count` free ports on 127.0.0.1, all different. */
async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
