import { parseCookie, stringifySetCookie } from 'cookie';
import type { RequestHeaders, ResponseHeaders, SessionIdResolver } from './id-resolver.js';
import { appendSetCookie } from './id-resolver.js';

export interface CookieResolverOptions {
  /** @default 'SESSION' */
  name?: string;
  /**
   * Send the cookie only over HTTPS. Leave it on in production; turn it off only for a
   * plain-HTTP demo (curl on http://localhost), e.g. with `COOKIE_SECURE=false`. @default true
   */
  secure?: boolean;
  /** @default 'lax' */
  sameSite?: 'lax' | 'strict' | 'none';
  /** @default '/' */
  path?: string;
  /** @default host-only (no Domain attribute) */
  domain?: string;
}

/**
 * Token in a cookie (Spring's `CookieHttpSessionIdResolver`). The cookie is `HttpOnly` always,
 * and has no Max-Age: the session's lifetime is the key's TTL in Valkey, not the browser's.
 *
 * ```http
 * HTTP/1.1 200 OK
 * Set-Cookie: SESSION=GBW0L8v...; Path=/; HttpOnly; Secure; SameSite=Lax
 * ```
 */
export class CookieIdResolver implements SessionIdResolver {
  readonly name: string;
  private readonly attributes: {
    httpOnly: true;
    secure: boolean;
    sameSite: 'lax' | 'strict' | 'none';
    path: string;
    domain?: string;
  };

  constructor(options: CookieResolverOptions = {}) {
    this.name = options.name ?? 'SESSION';
    this.attributes = {
      httpOnly: true,
      secure: options.secure ?? true,
      sameSite: options.sameSite ?? 'lax',
      path: options.path ?? '/',
      ...(options.domain ? { domain: options.domain } : {}),
    };
  }

  resolve(req: RequestHeaders): string | undefined {
    const header = req.headers.cookie;
    if (!header) return undefined;
    return parseCookie(header)[this.name] || undefined;
  }

  set(res: ResponseHeaders, token: string): void {
    appendSetCookie(res, stringifySetCookie({ name: this.name, value: token, ...this.attributes }));
  }

  expire(res: ResponseHeaders): void {
    appendSetCookie(
      res,
      stringifySetCookie({
        name: this.name,
        value: '',
        ...this.attributes,
        maxAge: 0,
        expires: new Date(0),
      }),
    );
  }
}
