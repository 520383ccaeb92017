import { FaultProxyClient } from '@baton/fault-proxy';
import { isRunning, spawnDetached } from './process-control.js';
import type { StackPaths } from './paths.js';
import { freePortExcept } from './ports.js';
import { httpOk, waitUntil } from './probes.js';
import type { ProcessRecord, ReplicaRecord, StackState } from './state-store.js';
import type { ReplicaName } from '../topology.js';
import { StackError } from '../errors.js';

/**
 * The fault proxy of a stack started with `faults: true`: one process (`@baton/fault-proxy`) that
 * every hop worth cutting passes through, so a test can make it slow, stall it or reset it while
 * the stack runs. Two links per replica, named after the hop:
 *
 * - `nginx>cart-1`: nginx's upstream line for cart-1 points at the link, the link at cart-1.
 * - `cart-1>valkey`: cart-1's VALKEY_URL points at the link, the link at valkey (standalone
 *   topology only: with Sentinel the apps ask the sentinels where the primary is, and connect there).
 *
 * The link ports are chosen once, with the replica, and kept in state.json (`links`), so nginx's
 * config and the replica's environment never depend on the proxy answering.
 */
export interface ReplicaLinks {
  /** Where nginx connects for this replica. */
  readonly edge: number;
  /** Where the replica connects for Valkey (standalone topology). */
  readonly valkey?: number;
}

/** `nginx>cart-1`: the hop nginx → replica. */
export function edgeLinkName(name: ReplicaName): string {
  return `nginx>${name}`;
}

/** `cart-1>valkey`: the hop replica → Valkey. */
export function valkeyLinkName(name: ReplicaName): string {
  return `${name}>valkey`;
}

/** New link ports for a replica of `state`, or none when the stack runs without the proxy. */
export async function newLinks(
  state: StackState,
  taken: Set<number>,
): Promise<ReplicaLinks | undefined> {
  if (!state.faultProxy) return undefined;
  const edge = await freePortExcept(taken);
  if ((state.topology ?? 'standalone') !== 'standalone') return { edge };
  return { edge, valkey: await freePortExcept(taken) };
}

/** The port nginx lists for a replica: its edge link when it has one, else the replica itself. */
export function edgePortOf(replica: ReplicaRecord): number {
  return replica.links?.edge ?? replica.port;
}

/** The port a replica's VALKEY_URL names: its Valkey link when it has one, else Valkey itself. */
export function valkeyPortOf(state: StackState, replica: ReplicaRecord): number {
  return replica.links?.valkey ?? state.ports.valkey;
}

/** A client for the stack's proxy; STACK_OPTIONS_INVALID when it was started without one. */
export function faultProxyClient(state: StackState): FaultProxyClient {
  if (!state.faultProxy) {
    throw new StackError(
      'STACK_OPTIONS_INVALID',
      'this stack runs without the fault proxy; start it with faults on (BATON_FAULTS=1, or `up --faults`)',
    );
  }
  return new FaultProxyClient(state.faultProxy.control);
}

/** Opens (or re-points, after a recreate moved the replica) both links of `name`. */
export async function declareLinks(state: StackState, name: ReplicaName): Promise<void> {
  const replica = state.replicas[name];
  if (!replica?.links) return;
  const client = faultProxyClient(state);
  const local = (port: number) => ({ host: '127.0.0.1', port });
  await client.ensure(edgeLinkName(name), replica.links.edge, local(replica.port));
  if (replica.links.valkey !== undefined) {
    await client.ensure(valkeyLinkName(name), replica.links.valkey, local(state.ports.valkey));
  }
}

/**
 * Starts the proxy unless it runs, and waits until its control API answers. Returns the record
 * to keep in state (the caller writes it), or the running one.
 */
export async function ensureFaultProxy(
  paths: StackPaths,
  state: StackState,
  readyTimeoutMs: number,
): Promise<ProcessRecord | undefined> {
  const proxy = state.faultProxy;
  if (!proxy) return undefined;
  let record = proxy.process;
  if (!record || !isRunning(record)) {
    const main = paths.faultProxyMain;
    record = await spawnDetached({
      cwd: paths.root,
      logFile: paths.faultProxyLog,
      command: process.execPath,
      args: [main],
      env: { PATH: process.env.PATH ?? '', FAULT_PROXY_CONTROL_PORT: String(proxy.control) },
      signature: main,
    });
  }
  const running = record;
  const outcome = await waitUntil(
    httpOk(proxy.control, '/healthz'),
    () => isRunning(running),
    readyTimeoutMs,
  );
  if (outcome !== 'ready') {
    throw new StackError(
      'STACK_NOT_READY',
      `the fault proxy did not start; see ${paths.faultProxyLog}`,
    );
  }
  return record;
}
