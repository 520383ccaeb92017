import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import { SessionOptionsInvalidError } from '../errors.js';
import { ConfigureValkeyAction } from './configure-action.js';

/** `indexed` option: the principal index and session events (Spring's indexed repository). */
export interface IndexedOptions {
  /**
   * Most sessions one principal may have alive. A login (`setPrincipal`) beyond it deletes the
   * principal's session closest to expiry (the least recently used one, for equal timeouts).
   * @default no limit
   */
  maxSessionsPerPrincipal?: number;
  /**
   * `'auto'` sets `notify-keyspace-events` (adding `Egx`) at start and after every reconnect;
   * `'none'` never sends CONFIG (managed services: configure the server yourself); or your own
   * {@link ConfigureValkeyAction}. @default 'auto'
   */
  configureAction?: 'auto' | 'none' | ConfigureValkeyAction;
  /**
   * How often a node settles sessions whose expiry passed, in ms: the latest an `expired` event
   * is recorded after the expiry while a node runs. Valkey's own reclamation (and so its
   * notification) can lag far behind when few keys are due; a sweep with nothing due is one
   * ZRANGEBYSCORE. @default 1_000
   */
  sweepIntervalMs?: number;
  /**
   * Consumer group of the event stream. Each event goes to one node of a group: give every
   * service (gateway, account…) its own group, and its replicas the same one. @default 'baton'
   */
  group?: string;
  /** This node's name in the group (`XINFO CONSUMERS`). @default `<hostname>-<pid>-<random>` */
  consumerName?: string;
  /**
   * An event a node took but did not acknowledge for this long (it crashed mid-handler) is
   * handed to another node, in ms. @default 30_000
   */
  claimIdleMs?: number;
  /** Approximate cap of the event stream (`XADD MAXLEN ~`). @default 100_000 */
  maxEvents?: number;
}

export interface ResolvedIndexedOptions {
  maxSessionsPerPrincipal: number | undefined;
  configureAction: ConfigureValkeyAction;
  sweepIntervalMs: number;
  group: string;
  consumerName: string;
  claimIdleMs: number;
  maxEvents: number;
}

export const DEFAULT_INDEXED_OPTIONS = {
  configureAction: 'auto',
  sweepIntervalMs: 1_000,
  group: 'baton',
  claimIdleMs: 30_000,
  maxEvents: 100_000,
} as const;

/** Checks `options.indexed` once, at start-up; undefined when indexed mode is off. */
export function resolveIndexedOptions(
  input: IndexedOptions | boolean | undefined,
  // Kept for options that depend on the topology; every topology takes indexed mode now.
  _client?: Redis | Cluster,
): ResolvedIndexedOptions | undefined {
  if (input === undefined || input === false) return undefined;
  const options: IndexedOptions = input === true ? {} : input;
  if (typeof options !== 'object' || options === null) {
    throw new SessionOptionsInvalidError('indexed', 'must be an object or true');
  }
  const max = options.maxSessionsPerPrincipal;
  if (max !== undefined && (!Number.isSafeInteger(max) || max <= 0)) {
    throw new SessionOptionsInvalidError(
      'indexed.maxSessionsPerPrincipal',
      `must be a positive integer, got ${String(max)}`,
    );
  }
  return {
    maxSessionsPerPrincipal: max,
    configureAction: toConfigureAction(
      options.configureAction ?? DEFAULT_INDEXED_OPTIONS.configureAction,
    ),
    sweepIntervalMs: positiveInteger(options, 'sweepIntervalMs'),
    group: name(options, 'group', DEFAULT_INDEXED_OPTIONS.group),
    consumerName: name(
      options,
      'consumerName',
      `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    ),
    claimIdleMs: positiveInteger(options, 'claimIdleMs'),
    maxEvents: positiveInteger(options, 'maxEvents'),
  };
}

/** @private */
function toConfigureAction(
  action: NonNullable<IndexedOptions['configureAction']>,
): ConfigureValkeyAction {
  if (action === 'auto') return ConfigureValkeyAction.NOTIFY_KEYSPACE_EVENTS;
  if (action === 'none') return ConfigureValkeyAction.NO_OP;
  if (action && typeof action.configure === 'function') return action;
  throw new SessionOptionsInvalidError(
    'indexed.configureAction',
    "must be 'auto', 'none' or an object with configure(client)",
  );
}

/** @private */
function positiveInteger(
  options: IndexedOptions,
  field: 'sweepIntervalMs' | 'claimIdleMs' | 'maxEvents',
): number {
  const value = options[field] ?? DEFAULT_INDEXED_OPTIONS[field];
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SessionOptionsInvalidError(
      `indexed.${field}`,
      `must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}

/** @private */
function name(options: IndexedOptions, field: 'group' | 'consumerName', fallback: string): string {
  const value = options[field] ?? fallback;
  if (typeof value !== 'string' || !/^[\w:.-]{1,200}$/.test(value)) {
    throw new SessionOptionsInvalidError(
      `indexed.${field}`,
      'must be 1 to 200 letters, digits or : . - _',
    );
  }
  return value;
}
