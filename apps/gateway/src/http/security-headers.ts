import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The Content-Security-Policy of everything the gateway answers. The shop page loads one module
 * script and one stylesheet of its own, has no inline script, style or event handler, and opens
 * its WebSocket to its own origin (`connect-src 'self'` covers same-origin `ws:`/`wss:` in
 * current browsers), so `'self'` is all it needs. Nothing may frame it, and it posts no forms
 * elsewhere. On the JSON API the policy is inert but harmless.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * helmet's security headers on every response (the UI, the proxied API, errors): the CSP above,
 * `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: same-origin`,
 * `Cross-Origin-Opener-Policy`/`-Resource-Policy: same-origin`, and no `X-Powered-By`.
 *
 * `Strict-Transport-Security` only with `hsts` (the platform sets it from `COOKIE_SECURE`, i.e.
 * "this deployment is HTTPS"): on a plain-HTTP demo it would mean nothing. No
 * `upgrade-insecure-requests` either, for the same reason.
 */
export function securityHeaders(options: { hsts: boolean }): RequestHandler {
  const { set, removed } = headersOf(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      strictTransportSecurity: options.hsts ? { maxAge: 31_536_000 } : false,
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  return function setSecurityHeaders(_req, res, next) {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

/**
 * @private What helmet does to a response, found once at start-up: every header above is a
 * constant (no nonce, nothing taken from the request), so running helmet's dozen middlewares
 * and building the CSP string again on every request would only cost CPU on the hot path.
 */
function headersOf(middleware: ReturnType<typeof helmet>): {
  set: [string, string][];
  removed: string[];
} {
  const set = new Map<string, string>();
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void set.set(name, String(value)),
    removeHeader: (name: string) => void removed.push(name),
  };
  let done = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    done = true;
  });
  // helmet calls next() synchronously; if a future version does not, fail at start-up, not later.
  if (!done) throw new Error('helmet did not finish synchronously; cannot precompute its headers');
  return { set: [...set], removed };
}
