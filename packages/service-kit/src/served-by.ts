import type { RequestHandler } from 'express';

/** Which replica runs, and which build: what every response of every app names. */
export interface ReplicaIdentity {
  /** INSTANCE_ID: `cart-2`. */
  readonly instance: string;
  /** BUILD_VERSION: `v2`, `3fc6d88-dirty`, `dev`. */
  readonly version: string;
}

/**
 * `X-Served-By: <INSTANCE_ID>` and `X-Build-Version: <BUILD_VERSION>` on every response, errors,
 * 404s and probes included, so a client (or the gateway, which prepends its own of both) sees
 * which replica, running which build, answered each hop. Mount it before anything that can
 * answer.
 *
 * @example
 * app.use(servedBy({ instance: config.INSTANCE_ID, version: config.BUILD_VERSION }));
 */
export function servedBy(identity: ReplicaIdentity): RequestHandler {
  const { instance, version } = identity;
  return function servedByHeaders(_req, res, next) {
    res.setHeader('X-Served-By', instance);
    res.setHeader('X-Build-Version', version);
    next();
  };
}
