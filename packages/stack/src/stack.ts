import { ComposeDriver } from './drivers/compose.js';
import { LocalDriver } from './drivers/local.js';
import { StackError } from './errors.js';
import { resolveStackOptions, type ResolvedStackOptions, type StackOptions } from './options.js';
import type { ProcessStatus, StackDriver } from './stack-driver.js';
import {
  APP_REPLICAS,
  PROCESS_NAMES,
  isProcessName,
  type ProcessName,
  type ReplicaName,
  type ServiceName,
} from './topology.js';

/**
 * A Baton stack: the driver's verbs, checked names, and the two composite operations built on
 * them (they hold for any driver).
 */
export interface Stack {
  readonly options: ResolvedStackOptions;
  /** http://127.0.0.1:<edge port>: where a browser or a test talks to the stack. */
  readonly edgeUrl: string;
  /** Starts what is not running; resolves when all eight processes are ready (StackDriver.up). */
  up(): Promise<void>;
  /** Stops everything; afterwards none of the stack's processes is left (StackDriver.down). */
  down(): Promise<void>;
  /** `[{name, pid, port, state}]` in topology order; never throws for a stopped stack. */
  status(): Promise<ProcessStatus[]>;
  /**
   * The per-process verbs of StackDriver. `name` is one of PROCESS_NAMES; anything else throws
   * STACK_UNKNOWN_PROCESS before anything is touched.
   */
  restart(name: string): Promise<void>;
  kill(name: string): Promise<void>;
  start(name: string): Promise<void>;
  /**
   * Restarts every app replica, one at a time. A replica is stopped only once its sibling is
   * ready, so each service always has a ready replica; throws STACK_SIBLING_NOT_READY (and
   * restarts nothing more) when a sibling is down.
   */
  rollingRestart(): Promise<void>;
  /** Restarts Valkey keeping its data: SIGTERM makes it fsync its AOF, which it replays at start. */
  valkeyRestart(): Promise<void>;
  scale(service: string, replicas: number): Promise<void>;
  deploy(service: string, options: { version: string }): Promise<void>;
  recreate(name: string): Promise<string>;
}

/**
 * @example
 * const stack = createStack({ edgePort: 18080, valkeyPort: 16379, stateDir: '/tmp/baton-stack' });
 * await stack.up();
 * await stack.restart('cart-1');
 * console.log(await stack.status());
 * await stack.down();
 */
export function createStack(input: StackOptions = {}): Stack {
  const options = resolveStackOptions(input);
  const driver: StackDriver =
    options.driver === 'compose' ? new ComposeDriver(options) : new LocalDriver(options);
  return {
    options,
    edgeUrl: `http://127.0.0.1:${options.edgePort}`,
    up: () => driver.up(),
    down: () => driver.down(),
    status: () => driver.status(),
    restart: (name) => driver.restart(processName(name)),
    kill: (name) => driver.kill(processName(name)),
    start: (name) => driver.start(processName(name)),
    rollingRestart: () => rollingRestart(driver),
    valkeyRestart: () => driver.restart('valkey'),
    scale: (service, replicas) => driver.scale(service as ServiceName, replicas),
    deploy: (service, options) => driver.deploy(service as ServiceName, options),
    recreate: (name) => driver.recreate(name as ReplicaName),
  };
}

/** @private */
async function rollingRestart(driver: StackDriver): Promise<void> {
  for (const replica of APP_REPLICAS) {
    try {
      await driver.waitReady(replica.sibling);
    } catch (cause) {
      throw new StackError(
        'STACK_SIBLING_NOT_READY',
        `not restarting ${replica.name}: ${replica.sibling} is not ready, and the service would have no replica left (start it first: npm run stack -- start ${replica.sibling})`,
        { cause },
      );
    }
    await driver.restart(replica.name);
  }
}

/** @private */
function processName(name: string): ProcessName {
  if (isProcessName(name)) return name;
  throw new StackError(
    'STACK_UNKNOWN_PROCESS',
    `unknown process "${name}"; one of: ${PROCESS_NAMES.join(', ')}`,
  );
}
