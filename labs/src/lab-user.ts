import { AFFINITY_COOKIE } from './replica-pair.js';

/** What the article's routes answer: `POST /cart/:item` adds `sessionId`. */
export interface CartAnswer {
  status: number;
  servedBy: string;
  sessionId?: string;
  cart: string[];
}

/**
 * One user of a lab, as a browser would be: it keeps every cookie the app sets and sends it back,
 * and a session token from `X-Auth-Token` the same way (cart-service resolves the session from
 * that header, which the gateway fills from the cookie; the labs talk to the service directly).
 * With `route`, it also carries the affinity cookie a sticky load balancer would have set.
 * No library: Node's `fetch` has no cookie jar, and the labs need only name=value pairs.
 */
export class LabUser {
  private readonly cookies = new Map<string, string>();
  private token: string | undefined;

  constructor(
    private readonly baseUrl: string,
    route?: string,
  ) {
    if (route) this.cookies.set(AFFINITY_COOKIE, route);
  }

  /** `POST /cart/:item` or `GET /cart`; a network error or a non-JSON answer is status 0 / the code. */
  async cart(method: 'GET' | 'POST', item?: string): Promise<CartAnswer> {
    const { status, body } = await this.send(method, method === 'POST' ? `/cart/${item}` : '/cart');
    return {
      status,
      ...cartAnswerOf(body as Partial<CartAnswer>),
    };
  }

  /**
   * Any JSON request, with the cookies and the token; `baseUrl` overrides where it goes (one
   * replica past nginx). Status 0 for no answer, `{}` for a body that is no JSON.
   */
  async send(
    method: string,
    path: string,
    json?: unknown,
    baseUrl = this.baseUrl,
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (this.token) headers['x-auth-token'] = this.token;
    if (json !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(baseUrl + path, {
        method,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      return { status: 0, body: {} };
    }
    for (const line of res.headers.getSetCookie()) {
      const match = /^([^=;\s]+)=([^;]*)/.exec(line);
      if (match?.[1] && match[2] !== undefined) this.cookies.set(match[1], match[2]);
    }
    const token = res.headers.get('x-auth-token');
    if (token) this.token = token;
    return { status: res.status, body: await res.json().catch(() => ({})) };
  }
}

/** @private */
function cartAnswerOf(body: Partial<CartAnswer>): Omit<CartAnswer, 'status'> {
  return {
    servedBy: body.servedBy ?? '',
    ...(body.sessionId ? { sessionId: body.sessionId } : {}),
    cart: Array.isArray(body.cart) ? body.cart : [],
  };
}

/** How many of each item a list holds. */
export function tally(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Acknowledged items the final cart lacks, per item (an item added twice must be there twice). */
export function missingItems(acknowledged: readonly string[], final: readonly string[]): number {
  const have = tally(final);
  let missing = 0;
  for (const [item, count] of tally(acknowledged)) {
    missing += Math.max(0, count - (have.get(item) ?? 0));
  }
  return missing;
}
