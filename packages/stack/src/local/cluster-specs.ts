import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { StackError } from '../errors.js';
import { CLUSTER_PROCESS_NAMES, type ClusterProcessName } from '../topology.js';
import { findExecutable } from './binaries.js';
import { valkeyPong } from './probes.js';
import { specBase, type ProcessSpec, type SpecContext } from './process-spec.js';
import type { StackState } from './state-store.js';
import { VALKEY_ADMIN_USER } from './valkey-credentials.js';
import type { ValkeyTopology } from './valkey-topology.js';

const run = promisify(execFile);

/** How long `valkey-cli --cluster create` and the first `cluster_state:ok` may take, in ms. */
const CLUSTER_READY_TIMEOUT_MS = 30_000;

/** `valkey`, `valkey-2` and `valkey-3` are the three masters of one Valkey Cluster. */
export const clusterTopology: ValkeyTopology = {
  processes: ['valkey', ...CLUSTER_PROCESS_NAMES],
  spec: (name, context) => clusterNodeSpec(name as ClusterProcessName | 'valkey', context),
  portOf(name, state) {
    if (name === 'valkey') return state.ports.valkey;
    if (!state.ports.cluster) return null;
    return clusterNodes(state).find(([node]) => node === name)?.[1] ?? null;
  },
  appEnv: clusterAppEnv,
  afterStart: ensureClusterCreated,
};

/** The three masters, `valkey` first (it keeps VALKEY_PORT), as `[name, port, bus port]`. @private */
function clusterNodes(state: StackState): [ClusterProcessName | 'valkey', number, number][] {
  const cluster = state.ports.cluster!;
  return [
    ['valkey', state.ports.valkey, cluster.buses[0]!],
    ['valkey-2', cluster.nodes[0]!, cluster.buses[1]!],
    ['valkey-3', cluster.nodes[1]!, cluster.buses[2]!],
  ];
}

/** The variable that makes the apps build an ioredis Cluster on the three masters. @private */
function clusterAppEnv(state: StackState): Record<string, string> {
  return {
    VALKEY_CLUSTER_NODES: clusterNodes(state)
      .map(([, port]) => `127.0.0.1:${port}`)
      .join(','),
  };
}

/**
 * `valkey`, `valkey-2` or `valkey-3` in the cluster topology: the shared infra/valkey config plus
 * `cluster-enabled yes`, each in its own directory, where it keeps `nodes.conf` (its view of the
 * cluster) and its AOF, so a restarted node rejoins with its slots and data. The cluster bus
 * port is chosen free like the others (the default, port + 10000, may be taken).
 */
function clusterNodeSpec(name: ClusterProcessName | 'valkey', context: SpecContext): ProcessSpec {
  const { paths, binaries, state } = context;
  const base = specBase(name, paths);
  const [, port, bus] = clusterNodes(state).find(([node]) => node === name)!;
  const dir = name === 'valkey' ? paths.valkeyDir : path.join(paths.stateDir, name);
  return {
    ...base,
    port,
    command: binaries.valkeyServer,
    args: [
      paths.valkeyConfig,
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
      ...['--aclfile', paths.valkeyAclFile],
      ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
      ...['--cluster-port', String(bus), '--cluster-node-timeout', '2000'],
      ...['--daemonize', 'no'],
    ],
    signature: 'valkey-server',
    ready: valkeyPong(port),
    prepare: () => mkdir(dir, { recursive: true }).then(() => undefined),
  };
}

/**
 * Joins the three masters into one cluster the first time (`valkey-cli --cluster create`, as the
 * admin user), and waits until every node reports `cluster_state:ok`. Later calls (a stack
 * brought up again on kept data) find the slots assigned and only wait.
 */
async function ensureClusterCreated(state: StackState): Promise<void> {
  const cli = findExecutable('valkey-cli');
  if (!cli) {
    throw new StackError(
      'STACK_BINARY_NOT_FOUND',
      'valkey-cli not found — run ./scripts/setup.sh (Debian: apt-get install valkey-tools)',
    );
  }
  const auth = ['--user', VALKEY_ADMIN_USER.username, '--pass', VALKEY_ADMIN_USER.password];
  const nodes = clusterNodes(state);
  const info = (port: number) =>
    run(
      cli,
      ['-h', '127.0.0.1', '-p', String(port), ...auth, '--no-auth-warning', 'CLUSTER', 'INFO'],
      {
        timeout: 5_000,
      },
    ).then(
      ({ stdout }) => stdout,
      () => '',
    );
  if (/cluster_slots_assigned:0\b/.test(await info(state.ports.valkey))) {
    await run(
      cli,
      [
        ...auth,
        '--no-auth-warning',
        '--cluster',
        'create',
        ...nodes.map(([, port]) => `127.0.0.1:${port}`),
        '--cluster-yes',
      ],
      { timeout: CLUSTER_READY_TIMEOUT_MS },
    );
  }
  const deadline = Date.now() + CLUSTER_READY_TIMEOUT_MS;
  for (;;) {
    const states = await Promise.all(nodes.map(([, port]) => info(port)));
    if (states.every((text) => /cluster_state:ok/.test(text))) return;
    if (Date.now() > deadline) {
      throw new StackError(
        'STACK_NOT_READY',
        `the Valkey cluster did not reach cluster_state:ok within ${CLUSTER_READY_TIMEOUT_MS / 1000} s`,
      );
    }
    await sleep(100);
  }
}
