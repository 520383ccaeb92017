import { parseCookie, stringifySetCookie } from 'cookie';
import { SessionOptionsInvalidError } from '../errors.js';
import type { RequestHeaders, ResponseHeaders, SessionIdResolver } from './id-resolver.js';
import { appendSetCookie } from './id-resolver.js';

export interface CookieResolverOptions {
  /**
   * `__Host-SESSION` when `secure` (the default), `SESSION` otherwise. The `__Host-` prefix makes
   * the browser refuse the cookie unless it is Secure, `Path=/` and has no Domain: a sibling
   * subdomain or a plain-HTTP page cannot plant or overwrite it (cookie tossing, fixation). A
   * name with that prefix and any other attribute set is refused at construction.
   * @default '__Host-SESSION' (secure) / 'SESSION' (not secure)
   */
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
 * Token in a cookie (Spring's `CookieHttpSessionIdResolver`). The cookie is `HttpOnly` always
 * (no page script can read it), and has no Max-Age: the session's lifetime is the key's TTL in
 * Valkey, not the browser's.
 *
 * ```http
 * HTTP/1.1 200 OK
 * Set-Cookie: __Host-SESSION=GBW0L8v...; Path=/; HttpOnly; Secure; SameSite=Lax
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
    const secure = options.secure ?? true;
    this.name = options.name ?? (secure ? '__Host-SESSION' : 'SESSION');
    this.attributes = {
      httpOnly: true,
      secure,
      sameSite: options.sameSite ?? 'lax',
      path: options.path ?? '/',
      ...(options.domain ? { domain: options.domain } : {}),
    };
    const problem = prefixProblem(this.name, this.attributes);
    if (problem) throw new SessionOptionsInvalidError('cookie.name', problem);
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

/**
 * @private What a browser would hold against a prefixed name: it silently drops such a cookie,
 * so every login would fail without a word. Saying so at start-up is kinder.
 */
function prefixProblem(
  name: string,
  { secure, path, domain }: { secure: boolean; path: string; domain?: string },
): string | undefined {
  if (name.startsWith('__Host-') && (!secure || path !== '/' || domain !== undefined)) {
    return `"${name}": a __Host- cookie must be Secure, with Path=/ and no Domain`;
  }
  if (name.startsWith('__Secure-') && !secure)
    return `"${name}": a __Secure- cookie must be Secure`;
  return undefined;
}
