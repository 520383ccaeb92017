import type { FaultProxyClient } from '@baton/fault-proxy';
import { ComposeDriver } from './drivers/compose.js';
import { LocalDriver } from './drivers/local.js';
import { StackError } from './errors.js';
import { resolveStackOptions, type ResolvedStackOptions, type StackOptions } from './options.js';
import { assertBuildVersion, defaultBuildVersion } from './build-version.js';
import { assertReplicaCount } from './replica-count.js';
import type { ProcessStatus, StackDriver } from './stack-driver.js';
import {
  SERVICES,
  isProcessName,
  isReplicaName,
  isServiceName,
  type ProcessName,
  type ReplicaName,
  type ServiceName,
} from './topology.js';

/** The valid process names, for an error message (the replicas depend on the stack's scale). */
const PROCESS_NAME_HINT = `valkey, nginx, ${SERVICES.map((s) => `${s}-<n>`).join(', ')}, and in the sentinel/cluster topologies their Valkey processes (npm run stack -- status lists them)`;

/** `deploy` with no service: the backends first, the gateway (which calls them) last. */
const DEPLOY_ORDER: readonly ServiceName[] = ['account', 'cart', 'gateway'];

/**
 * A Baton stack: the driver's verbs, checked names, and the two composite operations built on
 * them (they hold for any driver).
 */
export interface Stack {
  readonly options: ResolvedStackOptions;
  /** http://127.0.0.1:<edge port>: where a browser or a test talks to the stack. */
  readonly edgeUrl: string;
  /** Starts what is not running; resolves when every process is ready (StackDriver.up). */
  up(): Promise<void>;
  /** Stops everything; afterwards none of the stack's processes is left (StackDriver.down). */
  down(): Promise<void>;
  /**
   * `[{name, service, pid, port, address, state}]`: the infrastructure in topology order, then
   * the replicas by service and number; never throws for a stopped stack.
   */
  status(): Promise<ProcessStatus[]>;
  /**
   * The per-process verbs of StackDriver. `name` is `valkey`, `nginx`, a replica (`cart-3`) or a
   * sentinel/cluster process; anything else throws STACK_UNKNOWN_PROCESS before anything is
   * touched, and so does a replica the stack does not have.
   */
  restart(name: string): Promise<void>;
  kill(name: string): Promise<void>;
  start(name: string): Promise<void>;
  /**
   * Restarts every current app replica, one at a time. A replica is stopped only once another
   * replica of its service is ready, so each service always has a ready replica; throws
   * STACK_SIBLING_NOT_READY (and restarts nothing more) when none is (a service of one replica:
   * scale it to 2 first).
   */
  rollingRestart(): Promise<void>;
  /**
   * StackDriver.scale: `service` is one of SERVICES, `replicas` a whole number 1..16; anything
   * else throws STACK_OPTIONS_INVALID naming the valid values.
   */
  scale(service: string, replicas: number): Promise<void>;
  /**
   * StackDriver.deploy of `service`, or of every service (gateway last) when none is given.
   * `version` defaults to BUILD_VERSION from the environment, else `git rev-parse --short HEAD`
   * (plus `-dirty` when the tree has changes), else `dev`.
   */
  deploy(service?: string, options?: { version?: string }): Promise<void>;
  /**
   * StackDriver.recreate: `name` is a replica of the stack (`cart-1`), else
   * STACK_UNKNOWN_PROCESS. Resolves with the replica's name afterwards (compose: a new number).
   */
  recreate(name: string): Promise<string>;
  /** Restarts Valkey keeping its data: SIGTERM makes it fsync its AOF, which it replays at start. */
  valkeyRestart(): Promise<void>;
  /** StackDriver.faultProxy: the control client of a stack started with `faults: true`. */
  faultProxy(): Promise<FaultProxyClient>;
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
    scale: (service, replicas) => driver.scale(serviceName(service), assertReplicaCount(replicas)),
    async deploy(service, { version } = {}) {
      const chosen = assertBuildVersion(
        version ?? (await defaultBuildVersion(options.root, process.env)),
      );
      const services = service === undefined ? DEPLOY_ORDER : [serviceName(service)];
      for (const each of services) await driver.deploy(each, { version: chosen });
    },
    recreate: (name) => driver.recreate(replicaName(name)),
    faultProxy: () => driver.faultProxy(),
  };
}

/** @private */
async function rollingRestart(driver: StackDriver): Promise<void> {
  const replicas = (await driver.status()).filter((entry) => entry.service !== null);
  for (const replica of replicas) {
    const siblings = replicas.filter(
      (other) => other.service === replica.service && other.name !== replica.name,
    );
    if (
      !(await anyReady(
        driver,
        siblings.map((sibling) => sibling.name),
      ))
    ) {
      throw new StackError(
        'STACK_SIBLING_NOT_READY',
        `not restarting ${replica.name}: no other ${replica.service} replica is ready (${siblings.map((s) => s.name).join(', ') || 'none'}), and the service would have none left (start one, or scale ${replica.service} to 2)`,
      );
    }
    await driver.restart(replica.name);
  }
}

/** True once one of `names` is ready; tries them in turn. @private */
async function anyReady(driver: StackDriver, names: ProcessName[]): Promise<boolean> {
  for (const name of names) {
    try {
      await driver.waitReady(name);
      return true;
    } catch {
      // not running or not ready: try the next one
    }
  }
  return false;
}

/** @private */
function serviceName(name: string): ServiceName {
  if (isServiceName(name)) return name;
  throw new StackError(
    'STACK_OPTIONS_INVALID',
    `unknown service "${name}"; one of: ${SERVICES.join(', ')}`,
  );
}

/** @private */
function replicaName(name: string): ReplicaName {
  if (isReplicaName(name)) return name;
  throw new StackError(
    'STACK_UNKNOWN_PROCESS',
    `"${name}" is not an app replica; one of ${SERVICES.map((s) => `${s}-<n>`).join(', ')} (npm run stack -- status lists them)`,
  );
}

/** @private */
function processName(name: string): ProcessName {
  if (isProcessName(name)) return name;
  throw new StackError(
    'STACK_UNKNOWN_PROCESS',
    `unknown process "${name}"; one of: ${PROCESS_NAME_HINT}`,
  );
}
