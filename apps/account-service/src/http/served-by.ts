import type { RequestHandler } from 'express';

/**
 * `X-Served-By: <INSTANCE_ID>` on every response, errors, 404s and probes included, so a client
 * (or the gateway, which prepends its own name) sees which replica answered each hop. Mounted on
 * Express before anything of Nest runs, so no Nest answer can miss it.
 */
export function servedBy(instanceId: string): RequestHandler {
  return function servedByHeader(_req, res, next) {
    res.setHeader('X-Served-By', instanceId);
    next();
  };
}
