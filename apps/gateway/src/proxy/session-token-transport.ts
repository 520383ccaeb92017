import type { IncomingHttpHeaders } from 'node:http';
import {
  CookieIdResolver,
  HeaderIdResolver,
  type RequestHeaders,
  type ResponseHeaders,
} from '@baton/session';

/** How a client carries its session token: a browser in the cookie, an API client in a header. */
export type TokenTransport = 'cookie' | 'header';

/**
 * Moves the session token between the client's transport and the `X-Auth-Token` header that
 * every internal hop uses (the services run the header resolver). The cookie's name and
 * attributes come from `CookieIdResolver`, so they are defined in one place for the platform.
 *
 * ```http
 * browser → gateway                 gateway → cart (via nginx)
 * Cookie: SESSION=f2k…              X-Auth-Token: f2k…
 *
 * cart → gateway                    gateway → browser
 * X-Auth-Token: Qm9…                Set-Cookie: SESSION=Qm9…; Path=/; HttpOnly; SameSite=Lax
 * X-Auth-Token:          (empty)    Set-Cookie: SESSION=; Max-Age=0; … (expired)
 * ```
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

  /** The token to send upstream, from the client's own transport only; undefined when none. */
  tokenOf(req: RequestHeaders): string | undefined {
    return this.transportOf(req) === 'header' ? this.header.resolve(req) : this.cookie.resolve(req);
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
