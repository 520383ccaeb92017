import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import {
  NO_RESOLVER,
  freePort,
  nginxArgs,
  nginxMainConfig,
  renderTemplate,
  upstreamServers,
} from '@baton/stack';
import type { VariantName } from '../variants/variant.js';
import { findExecutable } from './binaries.js';
import { httpOk, tcpAccepts, waitReady } from './probes.js';
import type { ProcessSupervisor, RunningProcess } from '@baton/process-supervisor';

/** One variant's topology: nginx edge → gateway-1/2 → nginx cart listener → cart-1/2. */
export interface VariantStack {
  readonly variant: VariantName;
  readonly edgeUrl: string;
  readonly nginx: RunningProcess;
  gateways: RunningProcess[];
  carts: RunningProcess[];
  /** Restarts both cart replicas with extra Node flags (the CPU profile), and back. */
  restartCarts(nodeArgs: readonly string[]): Promise<void>;
  /** The same for both gateways. */
  restartGateways(nodeArgs: readonly string[]): Promise<void>;
}

export interface VariantStackOptions {
  readonly supervisor: ProcessSupervisor;
  readonly root: string;
  /** This variant's own directory for nginx files and logs. */
  readonly dir: string;
  readonly valkeyUrl: string;
  readonly variant: VariantName;
  readonly baselineSecret: string;
}

/**
 * The one line the bench adds to the project's nginx template, at the http level. nginx closes a
 * keep-alive connection after `keepalive_requests` (1000 by default) with `Connection: close`;
 * autocannon 9 ignores that header and writes its next request onto the closing socket, which
 * now and then comes back as ECONNRESET, counted as a failed request (measured: 5 in 64,000
 * requests with the limit at 10). A run of a fast variant passes 1000 requests per connection,
 * so the limit is lifted here. Browsers and undici honour the header, so the template keeps
 * nginx's default.
 */
const LOAD_GENERATOR_KEEPALIVE = 'keepalive_requests 1000000;';

/** Variables of the caller's environment every process inherits; the rest is set explicitly. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'TZ'] as const;

/**
 * Starts one variant behind nginx rendered from the project's own template
 * (`infra/nginx/baton.conf.template`, through @baton/stack's `renderTemplate` and
 * `nginxMainConfig`), with the real @baton/gateway in front of the variant's cart replicas. The
 * gateway loads no session itself, so it is the same for all four variants. The template's
 * account listener is unused here; its upstreams point at the cart replicas so nginx starts.
 */
export async function startVariantStack(options: VariantStackOptions): Promise<VariantStack> {
  const { supervisor, root, dir, variant } = options;
  await mkdir(path.join(dir, 'nginx'), { recursive: true });
  const ports = await distinctPorts(7);
  const [edge, cartListener, accountListener, gw1, gw2, cart1, cart2] = ports as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const base = {
    ...inherited(),
    HOST: '127.0.0.1',
    VALKEY_URL: options.valkeyUrl,
    COOKIE_SECURE: 'false',
    // The apps drain for up to this long on SIGTERM (service-kit leaves idle keep-alive
    // connections to nginx); the bench stops and restarts them and has no client to protect.
    SHUTDOWN_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'warn',
  };
  const gatewayMain = resolveGatewayMain();
  const cartMain =
    variant === 'cart-service'
      ? path.join(root, 'apps', 'cart-service', 'dist', 'src', 'main.js')
      : fileURLToPath(new URL('../variants/main.js', import.meta.url));

  const startApp = async (
    name: string,
    port: number,
    main: string,
    env: NodeJS.ProcessEnv,
    nodeArgs: readonly string[] = [],
  ) => {
    const logFile = path.join(dir, `${name}.log`);
    const proc = await supervisor.start({
      name: `${variant}/${name}`,
      command: process.execPath,
      args: [...nodeArgs, main],
      env: { ...base, ...env, INSTANCE_ID: name, PORT: String(port) },
      cwd: dir,
      logFile,
      stopSignal: 'SIGTERM',
    });
    await waitReady(`${variant}/${name}`, httpOk(port, '/readyz'), () => proc.exited, logFile);
    return proc;
  };
  const cartEnv = { BENCH_VARIANT: variant, BENCH_BASELINE_SECRET: options.baselineSecret };
  const startCarts = (nodeArgs: readonly string[]) =>
    Promise.all([
      startApp('cart-1', cart1, cartMain, cartEnv, nodeArgs),
      startApp('cart-2', cart2, cartMain, cartEnv, nodeArgs),
    ]);
  const gatewayEnv = {
    CART_URL: `http://127.0.0.1:${cartListener}`,
    ACCOUNT_URL: `http://127.0.0.1:${accountListener}`,
  };
  const carts = await startCarts([]);
  const startGateways = (nodeArgs: readonly string[]) =>
    Promise.all([
      startApp('gateway-1', gw1, gatewayMain, gatewayEnv, nodeArgs),
      startApp('gateway-2', gw2, gatewayMain, gatewayEnv, nodeArgs),
    ]);
  const gateways = await startGateways([]);

  const local = (port: number) => `127.0.0.1:${port}`;
  const template = await readFile(path.join(root, 'infra', 'nginx', 'baton.conf.template'), 'utf8');
  const nginxDir = path.join(dir, 'nginx');
  const rendered = path.join(nginxDir, 'baton.conf');
  const include = path.join(nginxDir, 'bench.conf');
  const config = path.join(nginxDir, 'nginx.conf');
  await writeFile(
    rendered,
    renderTemplate(template, {
      EDGE_LISTEN: local(edge),
      CART_LISTEN: local(cartListener),
      ACCOUNT_LISTEN: local(accountListener),
      GATEWAY_SERVERS: upstreamServers([local(gw1), local(gw2)]),
      CART_SERVERS: upstreamServers([local(cart1), local(cart2)]),
      ACCOUNT_SERVERS: upstreamServers([local(cart1), local(cart2)]),
      UPSTREAM_RESOLVER: NO_RESOLVER,
    }),
  );
  await writeFile(include, [LOAD_GENERATOR_KEEPALIVE, `include ${rendered};`, ''].join('\n'));
  await writeFile(config, nginxMainConfig(nginxDir, include));
  const nginxLog = path.join(dir, 'nginx.log');
  const nginx = await supervisor.start({
    name: `${variant}/nginx`,
    command: findExecutable('nginx'),
    args: nginxArgs(nginxDir, config),
    env: inherited(),
    cwd: dir,
    logFile: nginxLog,
    stopSignal: 'SIGQUIT',
  });
  for (const port of [edge, cartListener]) {
    await waitReady(`${variant}/nginx`, tcpAccepts(port), () => nginx.exited, nginxLog);
  }

  const stack: VariantStack = {
    variant,
    edgeUrl: `http://127.0.0.1:${edge}`,
    nginx,
    gateways,
    carts,
    async restartCarts(nodeArgs) {
      await Promise.all(stack.carts.map((cart) => supervisor.stop(cart)));
      stack.carts = await startCarts(nodeArgs);
    },
    async restartGateways(nodeArgs) {
      await Promise.all(stack.gateways.map((gateway) => supervisor.stop(gateway)));
      stack.gateways = await startGateways(nodeArgs);
    },
  };
  return stack;
}

/** apps/gateway's entry point, found through the workspace dependency. */
export function resolveGatewayMain(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@baton/gateway/package.json');
  return path.join(path.dirname(manifest), 'dist', 'src', 'main.js');
}

/** @private `count` free ports on 127.0.0.1, all different. */
async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** @private */
function inherited(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}
