import { access } from 'node:fs/promises';
import { StackError } from '../errors.js';
import { APP_WORKSPACE, serviceOf, type ProcessName, type ReplicaName } from '../topology.js';
import { valkeyPortOf } from './fault-links.js';
import { nginxArgs, writeNginxConfig } from './nginx-config.js';
import { httpOk, tcpAccepts } from './probes.js';
import { specBase, type ProcessSpec, type SpecContext } from './process-spec.js';
import { valkeyAppEnv } from './valkey-credentials.js';

/**
 * nginx and the app replicas. `valkeyEnv` is what the stack's Valkey topology tells the apps
 * (sentinels, cluster nodes) beyond VALKEY_URL; the driver asks the topology for it.
 */
export function processSpec(
  name: ProcessName,
  context: SpecContext,
  valkeyEnv: Record<string, string>,
): ProcessSpec {
  const { paths, binaries, state } = context;
  const base = specBase(name, paths);
  if (name === 'nginx') {
    const { edge, cartListener, accountListener } = state.ports;
    const probes = [edge, cartListener, accountListener].map(tcpAccepts);
    return {
      ...base,
      port: edge,
      command: binaries.nginx,
      args: nginxArgs(paths.nginxDir, paths.nginxConfig),
      // nginx rewrites its title to "nginx: master process <argv>", which keeps the config path.
      signature: paths.nginxConfig,
      ready: async () => (await Promise.all(probes.map((probe) => probe()))).every(Boolean),
      prepare: () => writeNginxConfig(paths, state),
    };
  }
  const service = serviceOf(name);
  const replica = state.replicas[name as ReplicaName];
  if (!service || !replica) {
    throw new StackError('STACK_UNKNOWN_PROCESS', `${name} is not part of this stack`);
  }
  const main = paths.appMain(APP_WORKSPACE[service]);
  const env: NodeJS.ProcessEnv = {
    ...base.env,
    ...valkeyAppEnv(),
    ...state.env,
    INSTANCE_ID: name,
    BUILD_VERSION: replica.version,
    HOST: '127.0.0.1',
    PORT: String(replica.port),
    VALKEY_URL: `redis://127.0.0.1:${valkeyPortOf(state, replica)}`,
    ...valkeyEnv,
  };
  if (service === 'gateway') {
    env.CART_URL = `http://127.0.0.1:${state.ports.cartListener}`;
    env.ACCOUNT_URL = `http://127.0.0.1:${state.ports.accountListener}`;
  }
  return {
    ...base,
    port: replica.port,
    command: process.execPath,
    args: [main],
    env,
    signature: main,
    ready: httpOk(replica.port, '/readyz'),
    prepare: () => assertBuilt(main),
  };
}

/** Throws STACK_NOT_BUILT when an app's entry point is missing. */
export async function assertBuilt(main: string): Promise<void> {
  try {
    await access(main);
  } catch {
    throw new StackError('STACK_NOT_BUILT', `${main} is missing — run npm run build first`);
  }
}
