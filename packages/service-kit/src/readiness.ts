import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import type { Cluster, Redis } from 'ioredis';
import type { ReplicaIdentity } from './served-by.js';

/**
 * Whether this replica should get traffic: Valkey answers and it is not shutting down.
 * `/healthz` (alive) never depends on Valkey, so an orchestrator does not restart a healthy
 * process because the store is away; `/readyz` does.
 */
export class Readiness {
  private draining = false;

  constructor(private readonly valkey: Redis | Cluster) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /** Called on SIGTERM: `/readyz` turns 503 and responses ask clients to close keep-alive. */
  drain(): void {
    this.draining = true;
  }

  async check(): Promise<{ ready: boolean; reason?: string }> {
    if (this.draining) return { ready: false, reason: 'draining' };
    try {
      await this.valkey.ping();
      return { ready: true };
    } catch {
      return { ready: false, reason: 'valkey unreachable' };
    }
  }

  /**
   * `GET /healthz` (`{status: 'ok', instance, version}`: alive, and which build) and `GET /readyz`,
   * plus `Connection: close` on every response while draining.
   */
  routes(identity: ReplicaIdentity): Router {
    const router = Router();
    router.use((_req: Request, res: Response, next: NextFunction) => {
      if (this.draining) res.setHeader('Connection', 'close');
      next();
    });
    router.get('/healthz', (_req, res) => {
      res.json({ status: 'ok', instance: identity.instance, version: identity.version });
    });
    router.get('/readyz', async (_req, res) => {
      const { ready, reason } = await this.check();
      res
        .status(ready ? 200 : 503)
        .json(ready ? { status: 'ready' } : { status: 'not ready', reason });
    });
    return router;
  }
}
