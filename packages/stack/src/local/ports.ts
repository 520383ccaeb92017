import net from 'node:net';
import { StackError } from '../errors.js';
import { DEFAULT_STACK_OPTIONS } from '../options.js';
import type { Topology } from '../topology.js';
import type { StackState } from './state-store.js';

/**
 * A port that was free a moment ago: the kernel picks it for a listener on 127.0.0.1:0, which is
 * then closed. Something else could take it before the stack binds it; on a developer machine
 * that race is rare enough to not be worth a port broker.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Throws STACK_PORT_IN_USE, naming the variable that moves it, when `port` is taken. */
export async function assertPortFree(port: number, variable: string): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (cause) {
    throw new StackError(
      'STACK_PORT_IN_USE',
      `port ${port} on 127.0.0.1 is in use; stop what holds it or set ${variable} to another port`,
      { cause },
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Where the local Prometheus listens when that port is free (its usual one); else a free port. */
export const PROMETHEUS_DEFAULT_PORT = 9090;

/**
 * The ports of a fresh stack's infrastructure: the two public ones as configured (checked free),
 * the rest chosen free and distinct. With `prometheus`, the stack on the usual edge port (the one a
 * user starts) gets 9090 when it is free; every other stack (tests, the soak, the bench: they run
 * on free edge ports, often several at once) takes a free port, because two stacks that both check
 * 9090 before either binds it would both pick it. The replicas' ports are chosen as replicas are
 * added.
 */
export async function planPorts(
  edgePort: number,
  valkeyPort: number,
  topology: Topology = 'standalone',
  { prometheus = false }: { prometheus?: boolean } = {},
): Promise<StackState['ports']> {
  if (edgePort === valkeyPort) {
    throw new StackError('STACK_OPTIONS_INVALID', `EDGE_PORT and VALKEY_PORT are both ${edgePort}`);
  }
  await assertPortFree(edgePort, 'EDGE_PORT');
  await assertPortFree(valkeyPort, 'VALKEY_PORT');
  const taken = new Set([edgePort, valkeyPort]);
  const next = () => freePortExcept(taken);
  const sentinel =
    topology === 'sentinel'
      ? { replica: await next(), sentinels: [await next(), await next(), await next()] }
      : undefined;
  const cluster =
    topology === 'cluster'
      ? {
          nodes: [await next(), await next()],
          buses: [await next(), await next(), await next()],
        }
      : undefined;
  return {
    ...(sentinel ? { sentinel } : {}),
    ...(cluster ? { cluster } : {}),
    edge: edgePort,
    valkey: valkeyPort,
    cartListener: await next(),
    accountListener: await next(),
    ...(prometheus
      ? {
          prometheus:
            edgePort === DEFAULT_STACK_OPTIONS.edgePort
              ? await preferredOrFreePort(PROMETHEUS_DEFAULT_PORT, taken)
              : await freePortExcept(taken),
        }
      : {}),
  };
}

/** `preferred` when it is free on 127.0.0.1 and not in `taken`, else a free port not in `taken`. */
export async function preferredOrFreePort(preferred: number, taken: Set<number>): Promise<number> {
  if (!taken.has(preferred)) {
    try {
      await assertPortFree(preferred, 'its owner');
      taken.add(preferred);
      return preferred;
    } catch {
      // Another stack (or a system Prometheus) has it: this stack's is found by `status`.
    }
  }
  return freePortExcept(taken);
}

/** A free port not in `taken` (the stack's other ports), added to `taken` before it returns. */
export async function freePortExcept(taken: Set<number>): Promise<number> {
  let port = await freePort();
  while (taken.has(port)) port = await freePort();
  taken.add(port);
  return port;
}

/** Every port `state` holds, so a new replica's port is none of them. */
export function portsOf(state: StackState): Set<number> {
  const { ports } = state;
  return new Set([
    ports.edge,
    ports.valkey,
    ports.cartListener,
    ports.accountListener,
    ...(ports.sentinel ? [ports.sentinel.replica, ...ports.sentinel.sentinels] : []),
    ...(ports.cluster ? [...ports.cluster.nodes, ...ports.cluster.buses] : []),
    ...(state.faultProxy ? [state.faultProxy.control] : []),
    ...(ports.prometheus === undefined ? [] : [ports.prometheus]),
    ...Object.values(state.replicas).flatMap((replica) => [
      replica!.port,
      ...(replica!.links ? [replica!.links.edge, replica!.links.valkey ?? replica!.port] : []),
    ]),
  ]);
}
