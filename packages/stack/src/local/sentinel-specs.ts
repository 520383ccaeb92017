import { copyFile, mkdir, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { SENTINEL_PROCESS_NAMES, type SentinelProcessName } from '../topology.js';
import { valkeyPong } from './probes.js';
import { specBase, type ProcessSpec, type SpecContext } from './process-spec.js';
import type { StackState } from './state-store.js';
import { VALKEY_ADMIN_USER } from './valkey-credentials.js';
import type { ValkeyTopology } from './valkey-topology.js';

/** The master group name the sentinels monitor; the apps get it as VALKEY_SENTINEL_NAME. */
export const SENTINEL_GROUP = 'baton';

/**
 * Sentinel timings for a demo on one machine: a primary silent for 2 s is down, and a failover
 * takes a few seconds (production keeps Sentinel's 30 s / 3 min defaults or close to them). An
 * attempt that finds no replica with recent enough INFO aborts and is retried after twice the
 * failover timeout, so that one stays short too.
 */
const DOWN_AFTER_MS = 2_000;
const FAILOVER_TIMEOUT_MS = 3_000;

/** `valkey` is the primary, `valkey-replica` its replica, and three sentinels watch both. */
export const sentinelTopology: ValkeyTopology = {
  processes: ['valkey', ...SENTINEL_PROCESS_NAMES],
  spec(name, context) {
    if (name === 'valkey' || name === 'valkey-replica') return dataNodeSpec(name, context);
    return sentinelSpec(name as SentinelProcessName, context);
  },
  portOf(name, state) {
    if (name === 'valkey') return state.ports.valkey;
    if (name === 'valkey-replica') return state.ports.sentinel?.replica ?? null;
    return state.ports.sentinel?.sentinels[Number(name.slice(-1)) - 1] ?? null;
  },
  appEnv: sentinelAppEnv,
  afterStart: async () => {},
};

/** The variables that point an app at the sentinels instead of one server. @private */
function sentinelAppEnv(state: StackState): Record<string, string> {
  const ports = state.ports.sentinel?.sentinels ?? [];
  return {
    VALKEY_SENTINELS: ports.map((port) => `127.0.0.1:${port}`).join(','),
    VALKEY_SENTINEL_NAME: SENTINEL_GROUP,
  };
}

/**
 * `valkey` or `valkey-replica` in the sentinel topology. Each runs from its own copy of
 * infra/valkey/valkey.conf: Sentinel rewrites the config of a server it promotes or demotes
 * (CONFIG REWRITE), which must never touch the repository's file, and a restarted server must
 * come back with the role Sentinel gave it, not the one it started with.
 */
function dataNodeSpec(name: 'valkey' | 'valkey-replica', context: SpecContext): ProcessSpec {
  const { paths, binaries, state } = context;
  const base = specBase(name, paths);
  const dir = name === 'valkey' ? paths.valkeyDir : path.join(paths.stateDir, name);
  const port = name === 'valkey' ? state.ports.valkey : state.ports.sentinel!.replica;
  const config = path.join(dir, 'valkey.conf');
  return {
    ...base,
    port,
    command: binaries.valkeyServer,
    args: [
      config,
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
      ...['--aclfile', paths.valkeyAclFile],
      ...['--daemonize', 'no'],
    ],
    signature: 'valkey-server',
    ready: valkeyPong(port),
    prepare: async () => {
      await mkdir(dir, { recursive: true });
      // Fresh at every `up` (this process has no record in the new state), kept on `start`.
      if (state.processes[name]) return;
      await copyFile(paths.valkeyConfig, config);
      const replication = [
        '',
        '# Added by the stack (sentinel topology): the replication link authenticates as the admin user.',
        `masteruser ${VALKEY_ADMIN_USER.username}`,
        `masterauth ${VALKEY_ADMIN_USER.password}`,
        // No 5 s wait before a full sync for a replica that may come along.
        'repl-diskless-sync-delay 0',
        ...(name === 'valkey-replica' ? [`replicaof 127.0.0.1 ${state.ports.valkey}`] : []),
        ...minReplicasToWrite(state.env),
        '',
      ];
      await appendFile(config, replication.join('\n'));
    },
  };
}

/**
 * With durable writes (the apps `WAIT` for N replicas), a primary with fewer than N replicas
 * refuses every write, and so every session request (loading a session slides its expiry, a
 * write). Without it, a primary that restarts during a failover serves on its own for the seconds
 * until Sentinel demotes it: its writes answer 503 (WAIT fails) but stay applied there, reads
 * show them, and the demotion's resync throws them away, so a cart shows an item and then loses
 * it (chaos/README.md). The cost: with one replica, the store answers 503 from a primary's crash
 * until a replica is attached again, reads included. Durable writes already refuse writes then.
 * @private
 */
function minReplicasToWrite(env: Readonly<Record<string, string>>): string[] {
  const replicas = Number(env.SESSION_DURABLE_WRITES_REPLICAS ?? 0);
  if (!(replicas > 0)) return [];
  return [
    '# Durable writes (SESSION_DURABLE_WRITES_REPLICAS): no replica, no writes.',
    `min-replicas-to-write ${replicas}`,
    'min-replicas-max-lag 10',
  ];
}

/** `sentinel-N`: `valkey-server <conf> --sentinel` (no extra binary) with a config it may rewrite. */
function sentinelSpec(name: SentinelProcessName, context: SpecContext): ProcessSpec {
  const { paths, binaries, state } = context;
  const base = specBase(name, paths);
  const index = Number(name.slice(-1)) - 1;
  const port = state.ports.sentinel!.sentinels[index]!;
  const dir = path.join(paths.stateDir, name);
  const config = path.join(dir, 'sentinel.conf');
  return {
    ...base,
    port,
    command: binaries.valkeyServer,
    args: [config, '--sentinel'],
    // Its title is "valkey-server 127.0.0.1:<port> [sentinel]" once running, the command line before.
    signature: 'valkey-server',
    ready: valkeyPong(port),
    prepare: async () => {
      await mkdir(dir, { recursive: true });
      // A sentinel keeps what it learnt (current primary, replicas, other sentinels) in this file:
      // written fresh at every `up`, kept when one sentinel is restarted.
      if (state.processes[name]) return;
      const g = SENTINEL_GROUP;
      const lines = [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        // `monitor` comes before the other settings of its group. Quorum: 2 of 3.
        `sentinel monitor ${g} 127.0.0.1 ${state.ports.valkey} 2`,
        `sentinel down-after-milliseconds ${g} ${DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${g} ${FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${g} 1`,
        // Sentinel needs INFO, REPLICAOF, CONFIG REWRITE, CLIENT KILL and the hello channel.
        `sentinel auth-user ${g} ${VALKEY_ADMIN_USER.username}`,
        `sentinel auth-pass ${g} ${VALKEY_ADMIN_USER.password}`,
        '',
      ];
      await writeFile(config, lines.join('\n'));
    },
  };
}
