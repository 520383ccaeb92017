import { access, mkdir } from 'node:fs/promises';
import { StackError } from '../errors.js';
import {
  appReplica,
  isClusterProcessName,
  isSentinelProcessName,
  type ProcessName,
} from '../topology.js';
import type { Binaries } from './binaries.js';
import { nginxArgs, writeNginxConfig } from './nginx-config.js';
import type { StackPaths } from './paths.js';
import { httpOk, tcpAccepts, valkeyPong, type Probe } from './probes.js';
import type { SpawnRequest } from './process-control.js';
import type { StackState } from './state-store.js';
import { valkeyAppEnv } from './valkey-credentials.js';
import { dataNodeSpec, sentinelAppEnv, sentinelSpec } from './sentinel-specs.js';
import { clusterAppEnv, clusterNodeSpec } from './cluster-specs.js';

/** Everything the local driver needs to start, recognise, probe and stop one process. */
export interface ProcessSpec extends SpawnRequest {
  readonly name: ProcessName;
  readonly port: number;
  readonly stopSignal: 'SIGTERM' | 'SIGQUIT';
  readonly ready: Probe;
  /** Files and directories it needs, created or checked right before each start. */
  prepare(): Promise<void>;
}

export interface SpecContext {
  readonly paths: StackPaths;
  readonly binaries: Binaries;
  readonly state: StackState;
}

/** Variables of the caller's environment every process inherits; the rest is set explicitly. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'TZ'] as const;

export function processSpec(name: ProcessName, context: SpecContext): ProcessSpec {
  const { paths, binaries, state } = context;
  const base = {
    name,
    cwd: paths.root,
    logFile: paths.log(name),
    env: inherited(),
    stopSignal: stopSignal(name),
  };
  const sentinelTopology = state.topology === 'sentinel';
  if (name === 'valkey-replica' || (name === 'valkey' && sentinelTopology)) {
    return dataNodeSpec(base, name, context);
  }
  if (isSentinelProcessName(name)) return sentinelSpec(base, name, context);
  const clusterTopology = state.topology === 'cluster';
  if (isClusterProcessName(name) || (name === 'valkey' && clusterTopology)) {
    return clusterNodeSpec(base, name as 'valkey', context);
  }
  if (name === 'valkey') {
    const port = state.ports.valkey;
    return {
      ...base,
      port,
      command: binaries.valkeyServer,
      // The shared infra/valkey config, with only what differs locally on the command line.
      args: [
        paths.valkeyConfig,
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', paths.valkeyDir],
        // The apps' ACL user (infra/valkey/users.acl); not in valkey.conf, so a plain
        // valkey-server with that config (bench, tests) keeps its open default user.
        ...['--aclfile', paths.valkeyAclFile],
        ...['--daemonize', 'no'],
      ],
      signature: 'valkey-server',
      ready: valkeyPong(port),
      prepare: () => mkdir(paths.valkeyDir, { recursive: true }).then(() => undefined),
    };
  }
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
  const replica = appReplica(name)!;
  const port = state.ports.apps[replica.name];
  const main = paths.appMain(replica.app);
  const env: NodeJS.ProcessEnv = {
    ...base.env,
    ...valkeyAppEnv(),
    ...state.env,
    INSTANCE_ID: name,
    HOST: '127.0.0.1',
    PORT: String(port),
    VALKEY_URL: `redis://127.0.0.1:${state.ports.valkey}`,
    ...(sentinelTopology ? sentinelAppEnv(context) : {}),
    ...(clusterTopology ? clusterAppEnv(context) : {}),
  };
  if (replica.app === 'gateway') {
    env.CART_URL = `http://127.0.0.1:${state.ports.cartListener}`;
    env.ACCOUNT_URL = `http://127.0.0.1:${state.ports.accountListener}`;
  }
  return {
    ...base,
    port,
    command: process.execPath,
    args: [main],
    env,
    signature: main,
    ready: httpOk(port, '/readyz'),
    prepare: () => assertBuilt(main),
  };
}

/** nginx's graceful stop is SIGQUIT (its SIGTERM is the fast one); everything else drains on SIGTERM. */
export function stopSignal(name: ProcessName): 'SIGTERM' | 'SIGQUIT' {
  return name === 'nginx' ? 'SIGQUIT' : 'SIGTERM';
}

/** Throws STACK_NOT_BUILT when an app's entry point is missing. */
export async function assertBuilt(main: string): Promise<void> {
  try {
    await access(main);
  } catch {
    throw new StackError('STACK_NOT_BUILT', `${main} is missing — run npm run build first`);
  }
}

/** @private */
function inherited(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return env;
}
