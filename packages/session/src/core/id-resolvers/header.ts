import type { RequestHeaders, ResponseHeaders, SessionIdResolver } from './id-resolver.js';

/**
 * Token in a request header (Spring's `HeaderHttpSessionIdResolver.xAuthToken()`), for API
 * clients and service-to-service hops. The server echoes the header only when the token is new
 * or renamed, and sends it empty when the session ended:
 *
 * ```http
 * POST /api/account/login HTTP/1.1          HTTP/1.1 200 OK
 * X-Auth-Token: f2k...old                   X-Auth-Token: Qm9...new
 * ```
 */
export class HeaderIdResolver implements SessionIdResolver {
  private readonly lowerName: string;

  constructor(readonly headerName = 'X-Auth-Token') {
    this.lowerName = headerName.toLowerCase();
  }

  resolve(req: RequestHeaders): string | undefined {
    const value = req.headers[this.lowerName];
    // A repeated header is ambiguous; refuse to pick one.
    if (typeof value !== 'string') return undefined;
    return value.trim() || undefined;
  }

  set(res: ResponseHeaders, token: string): void {
    res.setHeader(this.headerName, token);
  }

  expire(res: ResponseHeaders): void {
    res.setHeader(this.headerName, '');
  }
}
