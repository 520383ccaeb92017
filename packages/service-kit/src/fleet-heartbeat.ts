import type { RequestListener } from 'node:http';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { FleetKeys } from './fleet-keys.js';
import type { Readiness } from './readiness.js';
import type { ReplicaIdentity } from './served-by.js';

/** What one replica says about itself every beat (the JSON under its heartbeat key). */
export interface Heartbeat {
  /** `cart-2`. */
  instance: string;
  /** `cart`: the instance name without its replica number. */
  service: string;
  version: string;
  state: 'ready' | 'draining';
  /** Requests answered per second since the previous beat. */
  rps: number;
  startedAt: number;
  /** When this beat was written (ms since epoch, the replica's clock). */
  seenAt: number;
}

export interface FleetHeartbeatOptions {
  valkey: Redis | Cluster;
  namespace: string;
  identity: ReplicaIdentity;
  readiness: Readiness;
  logger: Logger;
  /** How often a beat is written. @default 500 */
  intervalMs?: number;
  /** How long a beat lives: a replica that stops beating is gone after this. @default 1_500 */
  ttlMs?: number;
}

/** Index entries of replicas gone longer than this are dropped by the next beat of any replica. */
const FORGET_AFTER_MS = 60_000;

/**
 * Each replica's heartbeat in Valkey: its state, build and request rate, written every 500 ms
 * with a 1.5 s TTL (see FleetKeys for the layout), so the gateway's fleet view shows a killed
 * replica as gone within two seconds without asking any orchestrator. A clean exit deletes the
 * key at once. A beat is one pipelined round trip; a failed one is logged once per outage and
 * never stops the replica.
 */
export class FleetHeartbeat {
  private readonly keys: FleetKeys;
  private readonly service: string;
  private readonly intervalMs: number;
  private readonly ttlMs: number;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private requests = 0;
  private last = { requests: 0, at: Date.now() };
  private failing = false;

  constructor(private readonly options: FleetHeartbeatOptions) {
    this.keys = new FleetKeys(options.namespace);
    this.service = serviceOfInstance(options.identity.instance);
    this.intervalMs = options.intervalMs ?? 500;
    this.ttlMs = options.ttlMs ?? 1_500;
  }

  /** Wraps the app's handler so each request adds one to the rate: an increment, nothing more. */
  counting(handler: RequestListener): RequestListener {
    return (req, res) => {
      this.requests += 1;
      handler(req, res);
    };
  }

  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes one beat now (after SIGTERM, so the view shows `draining` at once). */
  async beat(): Promise<void> {
    const now = Date.now();
    const seconds = Math.max((now - this.last.at) / 1000, 0.001);
    const rps = Math.round(((this.requests - this.last.requests) / seconds) * 10) / 10;
    this.last = { requests: this.requests, at: now };
    const { identity, readiness, valkey } = this.options;
    const heartbeat: Heartbeat = {
      instance: identity.instance,
      service: this.service,
      version: identity.version,
      state: readiness.isDraining ? 'draining' : 'ready',
      rps,
      startedAt: this.startedAt,
      seenAt: now,
    };
    try {
      await valkey
        .pipeline()
        .set(this.keys.replica(identity.instance), JSON.stringify(heartbeat), 'PX', this.ttlMs)
        .zadd(this.keys.index, now, identity.instance)
        .zremrangebyscore(this.keys.index, 0, now - FORGET_AFTER_MS)
        .exec()
        .then(firstError);
      if (this.failing) this.options.logger.info('fleet heartbeat written again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.options.logger.warn({ err }, 'could not write the fleet heartbeat');
      this.failing = true;
    }
  }

  /** Stops beating and deletes this replica's key: the view shows it gone at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.options.valkey
      .del(this.keys.replica(this.options.identity.instance))
      .catch(() => undefined);
  }
}

/** `cart-2` → `cart`; a name without a number is its own service. */
export function serviceOfInstance(instance: string): string {
  return instance.replace(/-\d+$/, '');
}

/** @private A pipeline resolves even when a command in it failed; surface the first failure. */
function firstError(results: [Error | null, unknown][] | null): void {
  const failed = results?.find(([err]) => err !== null);
  if (failed?.[0]) throw failed[0];
}
