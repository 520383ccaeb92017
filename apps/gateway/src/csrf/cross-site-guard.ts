import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { sendError } from '../http/json-error.js';

/** Methods a cross-site form or script must not be able to send with the user's cookie. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `Sec-Fetch-Site` values a browser sends when the page that made the request is not the shop's
 * own origin. `same-site` is refused as well: a sibling subdomain is another origin, yet a
 * `SameSite=Lax` cookie would still ride along with its requests. `same-origin` and `none` (the
 * user typed the URL or used a bookmark) pass.
 */
const FOREIGN_FETCH_SITES = new Set(['cross-site', 'same-site']);

/**
 * Why an unsafe request looks cross-site, or undefined when it may pass. Browsers always send
 * `Origin` and (all current ones) `Sec-Fetch-Site` on a cross-site POST, and page scripts cannot
 * forge either, so checking them stops CSRF. Clients that send neither (curl, API clients) are
 * not browsers riding on a cookie and pass; so the article's `curl -X POST` demo works unchanged.
 *
 * The request's own host is `X-Forwarded-Host` (set by nginx at the edge) or `Host`. nginx's
 * `$host` drops the port, so when the request host has no port only hostnames are compared.
 */
export function crossSiteReason(method: string, headers: IncomingHttpHeaders): string | undefined {
  if (!UNSAFE_METHODS.has(method.toUpperCase())) return undefined;
  return foreignOriginReason(headers);
}

/**
 * Why a WebSocket handshake looks cross-site, or undefined when it may pass. A handshake is a
 * GET, yet it carries the session cookie and opens a channel the page can read: another site
 * must not open one in the user's name (cross-site WebSocket hijacking). Browsers always send
 * `Origin` on it, so the same rules as for unsafe requests apply.
 */
export function crossSiteUpgradeReason(headers: IncomingHttpHeaders): string | undefined {
  return foreignOriginReason(headers);
}

/** @private What `Sec-Fetch-Site` and `Origin` say about the page that made the request. */
function foreignOriginReason(headers: IncomingHttpHeaders): string | undefined {
  const fetchSite = headers['sec-fetch-site'];
  if (typeof fetchSite === 'string' && FOREIGN_FETCH_SITES.has(fetchSite.toLowerCase())) {
    return `Sec-Fetch-Site is ${fetchSite}`;
  }
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const originHost = hostOfOrigin(origin);
  if (originHost === undefined) return `Origin ${origin} is opaque or malformed`;
  const requestHost = requestHostOf(headers);
  if (requestHost === undefined) return 'the request names no Host to compare the Origin with';
  const same = hasPort(requestHost)
    ? originHost === requestHost
    : stripPort(originHost) === requestHost;
  return same ? undefined : `Origin ${origin} is not ${requestHost}`;
}

/**
 * Express middleware that answers 403 `CROSS_SITE_REQUEST` to unsafe requests another site made.
 *
 * @example
 * app.use(crossSiteGuard());
 */
export function crossSiteGuard(): RequestHandler {
  return function crossSiteGuardHandler(req, res, next) {
    const reason = crossSiteReason(req.method, req.headers);
    if (reason === undefined) return next();
    req.log?.warn({ reason }, 'cross-site request refused');
    sendError(res, 403, 'CROSS_SITE_REQUEST', `Cross-site ${req.method} refused: ${reason}`);
  };
}

/** @private `host[:port]` of an Origin, lower-cased, or undefined for `null` and garbage. */
function hostOfOrigin(origin: string): string | undefined {
  if (!URL.canParse(origin)) return undefined;
  const { protocol, host } = new URL(origin);
  return protocol === 'http:' || protocol === 'https:' ? host.toLowerCase() : undefined;
}

/** @private The first `X-Forwarded-Host` (the one the edge saw), else `Host`, lower-cased. */
function requestHostOf(headers: IncomingHttpHeaders): string | undefined {
  const forwarded = headers['x-forwarded-host'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const host = first || headers.host;
  return host ? host.toLowerCase() : undefined;
}

const PORT_SUFFIX = /:\d+$/;

/** @private Whether `host` ends in `:port` (`[::1]` does not, `[::1]:80` does). */
function hasPort(host: string): boolean {
  return PORT_SUFFIX.test(host);
}

/** @private `example.com:8080` → `example.com`, `[::1]:80` → `[::1]`. */
function stripPort(host: string): string {
  return host.replace(PORT_SUFFIX, '');
}
