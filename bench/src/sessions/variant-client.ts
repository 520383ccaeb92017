import { randomBytes } from 'node:crypto';
import { BASELINE_COOKIE } from '../variants/baseline-cart.js';
import type { VariantName } from '../variants/variant.js';
import { HttpClient, type HttpResponse, setCookie } from '../load/http-client.js';

/** A response the bench did not expect (non-2xx, or a session that did not stick). */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}

/**
 * Talks to one variant through its nginx edge the way a browser does: the session travels in a
 * cookie (`SESSION` for Baton, which the gateway turns into `X-Auth-Token`; `connect.sid` for
 * express-session, which the gateway passes through). The control has no session; it gets a
 * cookie of the same size that nothing reads, so every variant's requests carry the same bytes.
 */
export class VariantClient {
  readonly http: HttpClient;
  readonly cookieName: string;

  constructor(
    readonly variant: VariantName,
    readonly edgeUrl: string,
  ) {
    this.http = new HttpClient(edgeUrl);
    this.cookieName =
      variant === 'baseline' || variant === 'baton-store' ? BASELINE_COOKIE : 'SESSION';
  }

  /** Creates a session holding `items` (one POST per item) and returns its `Cookie` header. */
  async newSession(items: readonly string[]): Promise<string> {
    let cookie: string | undefined;
    for (const item of items) {
      const res = await this.add(cookie, item);
      cookie ??= setCookie(res, this.cookieName);
      if (cookie === undefined && this.variant !== 'control') {
        throw new BenchFailure(
          `${this.variant}: POST /cart/${item} set no ${this.cookieName} cookie`,
        );
      }
    }
    return cookie ?? `SESSION=${randomBytes(32).toString('base64url')}`;
  }

  /** POST /cart/:item; throws BenchFailure on anything but 2xx. */
  add(cookie: string | undefined, item: string): Promise<HttpResponse> {
    return this.send('POST', `/cart/${item}`, cookie);
  }

  /** GET /cart; throws BenchFailure on anything but 2xx. */
  read(cookie: string | undefined): Promise<HttpResponse> {
    return this.send('GET', '/cart', cookie);
  }

  /** The same request without the 2xx check, for scenarios that count statuses themselves. */
  raw(method: string, path: string, cookie: string | undefined): Promise<HttpResponse> {
    return this.http.request(method, path, cookie ? { cookie } : {});
  }

  close(): void {
    this.http.close();
  }

  /** @private */
  private async send(
    method: string,
    path: string,
    cookie: string | undefined,
  ): Promise<HttpResponse> {
    const res = await this.raw(method, path, cookie);
    if (res.status < 200 || res.status >= 300) {
      throw new BenchFailure(
        `${this.variant}: ${method} ${path} answered ${res.status}: ${res.body.slice(0, 200)}`,
      );
    }
    return res;
  }
}

/** Runs `task` for 0..count-1 with at most `concurrency` in flight; resolves in index order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
