import type { IncomingHttpHeaders } from 'node:http';
import {
  CookieIdResolver,
  HeaderIdResolver,
  type RequestHeaders,
  type ResponseHeaders,
} from '@baton/session';

/**
 * What the gateway carries upstream as a token: base64url characters, bounded. Whether it names
 * a session is the services' call (they adopt only well-formed, known tokens); the gateway only
 * refuses to carry what cannot be one.
 */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{1,256}$/;

/** How a client carries its session token: a browser in the cookie, an API client in a header. */
export type TokenTransport = 'cookie' | 'header';

/**
 * Moves the session token between the client's transport and the `X-Auth-Token` header that
 * every internal hop uses (the services run the header resolver). The cookie's name and
 * attributes come from `CookieIdResolver`, so they are defined in one place for the platform.
 *
 * ```http
 * browser → gateway                 gateway → cart (via nginx)
 * Cookie: __Host-SESSION=f2k…       X-Auth-Token: f2k…
 *
 * cart → gateway                    gateway → browser
 * X-Auth-Token: Qm9…                Set-Cookie: __Host-SESSION=Qm9…; Path=/; HttpOnly; Secure; SameSite=Lax
 * X-Auth-Token:          (empty)    Set-Cookie: __Host-SESSION=; Max-Age=0; … (expired)
 * ```
 *
 * The cookie is `__Host-SESSION` when `COOKIE_SECURE=true` (the browser then accepts it only
 * Secure, `Path=/`, without Domain: no sibling subdomain can plant one), `SESSION` on a
 * plain-HTTP demo.
 */
export class SessionTokenTransport {
  private readonly cookie: CookieIdResolver;
  private readonly header = new HeaderIdResolver();

  constructor(options: { cookieSecure: boolean }) {
    this.cookie = new CookieIdResolver({ secure: options.cookieSecure });
  }

  /**
   * A client that sends `X-Auth-Token` at all, even empty or with a placeholder, opts into header
   * mode: it gets tokens back in that header and never a cookie. Everyone else is a cookie client.
   */
  transportOf(req: RequestHeaders): TokenTransport {
    return typeof req.headers[this.header.headerName.toLowerCase()] === 'string'
      ? 'header'
      : 'cookie';
  }

  /**
   * The token to send upstream, from the client's own transport only; undefined when none, or
   * when it is not shaped like a token. A cookie is percent-decoded, so `SESSION=%00` would
   * otherwise put a NUL into the upstream's header, which Node refuses to send by throwing (it
   * crashed the gateway); such a value names no session anyway, so the client gets a fresh one.
   */
  tokenOf(req: RequestHeaders): string | undefined {
    const token =
      this.transportOf(req) === 'header' ? this.header.resolve(req) : this.cookie.resolve(req);
    return token !== undefined && TOKEN_SHAPE.test(token) ? token : undefined;
  }

  /**
   * The `Cookie` header to forward without the session cookie (the token travels upstream once,
   * in `X-Auth-Token`), or undefined when no other cookie is left. Other cookies pass untouched.
   */
  cookiesWithoutSession(cookieHeader: string | undefined): string | undefined {
    if (!cookieHeader) return undefined;
    const kept = cookieHeader
      .split(';')
      .map((pair) => pair.trim())
      .filter((pair) => pair !== '' && pair.split('=', 1)[0]?.trim() !== this.cookie.name);
    return kept.length > 0 ? kept.join('; ') : undefined;
  }

  /**
   * Rewrites an upstream response's headers in place for a client using `transport`. In cookie
   * mode the upstream's `X-Auth-Token` never reaches the browser (a page script could read it):
   * a token becomes `Set-Cookie`, an empty one expires the cookie. Header mode passes it through.
   */
  translateResponse(transport: TokenTransport, headers: IncomingHttpHeaders): void {
    const name = this.header.headerName.toLowerCase();
    const upstreamToken = headers[name];
    if (upstreamToken === undefined || transport === 'header') return;
    delete headers[name];
    const token = (Array.isArray(upstreamToken) ? upstreamToken[0] : upstreamToken)?.trim();
    const target = headerBag(headers);
    if (token) this.cookie.set(target, token);
    else this.cookie.expire(target);
    // A response that hands out or ends a session must never be stored by a shared cache.
    headers['cache-control'] = 'no-store';
  }
}

/** @private Lets a resolver write into a plain header object (lower-case names, like Node's). */
function headerBag(headers: IncomingHttpHeaders): ResponseHeaders {
  return {
    getHeader: (name) => headers[name.toLowerCase()],
    setHeader: (name, value) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value : String(value);
    },
  };
}
