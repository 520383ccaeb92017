import type { RequestHandler } from 'express';

/**
 * `X-Served-By: <INSTANCE_ID>` on every response, errors and probes included, so a client (or the
 * gateway, which prepends its own name) can see which replica answered each hop.
 */
export function servedBy(instanceId: string): RequestHandler {
  return function servedByHeader(_req, res, next) {
    res.setHeader('X-Served-By', instanceId);
    next();
  };
}
