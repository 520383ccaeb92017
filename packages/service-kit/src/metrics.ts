import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionObserver, StoreOperation } from '@baton/session';
import type { Readiness } from './readiness.js';

/**
 * Prometheus metrics of one app: HTTP requests, session store calls (loads, saves, updates,
 * conflicts) and Valkey latency. One registry per app instance, never the global default, so
 * several apps can live in one test process.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestSeconds: Histogram<'method' | 'route'>;
  private readonly storeCalls: Counter<'op' | 'outcome'>;
  private readonly storeSeconds: Histogram<'op'>;

  constructor(instanceId: string) {
    this.registry.setDefaultLabels({ instance: instanceId });
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'baton_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.requestSeconds = new Histogram({
      name: 'baton_http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.storeCalls = new Counter({
      name: 'baton_session_store_calls_total',
      help: 'Session store round trips by operation (load, save, update, rename, delete) and outcome (ok, error, conflict)',
      labelNames: ['op', 'outcome'],
      registers: [this.registry],
    });
    this.storeSeconds = new Histogram({
      name: 'baton_valkey_call_duration_seconds',
      help: 'Latency of session store round trips to Valkey',
      labelNames: ['op'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [this.registry],
    });
  }

  /**
   * `baton_ready`: 1 while `/readyz` would answer 200, 0 while draining or Valkey does not answer,
   * checked at each scrape (the alert BatonReplicaNotReady in infra/prometheus reads it).
   */
  trackReadiness(readiness: Readiness): void {
    new Gauge({
      name: 'baton_ready',
      help: '1 when this replica is ready (Valkey answers, not draining), else 0',
      registers: [this.registry],
      async collect() {
        this.set((await readiness.check()).ready ? 1 : 0);
      },
    });
  }

  /** Plug into `SessionOptions.observer`. */
  readonly sessionObserver: SessionObserver = {
    onStoreCall: (op: StoreOperation, durationMs: number, outcome) => {
      this.storeCalls.inc({ op, outcome });
      if (outcome !== 'conflict') this.storeSeconds.observe({ op }, durationMs / 1000);
    },
  };

  /** Express middleware counting every request by its route pattern (not its raw URL). */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const stop = this.requestSeconds.startTimer();
      res.on('finish', () => {
        const route = routeLabel(req);
        stop({ method: req.method, route });
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** Express handler for `GET /metrics`. */
  handler() {
    return async (_req: Request, res: Response): Promise<void> => {
      res.type(this.registry.contentType).send(await this.registry.metrics());
    };
  }
}

/** @private Route patterns keep label cardinality bounded; unmatched URLs share one label. */
function routeLabel(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? req.baseUrl + path : 'unmatched';
}
