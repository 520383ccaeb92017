import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadOptions {
  /** The nginx edge, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /**
   * Request i goes to paths[⌊i / cookies⌋ % paths]: each round over the sessions takes the next
   * path, so every session gets every path in turn (the adds spread over the catalog's items and
   * no line of cart-service's cart reaches its quantity limit of 99).
   */
  readonly paths: readonly string[];
  /** `Cookie` header values; request i carries cookies[i % n], so load spreads over sessions. */
  readonly cookies: readonly string[];
  readonly connections: number;
  readonly durationSeconds: number;
  /** Called about once a second with the seconds elapsed and the responses so far. */
  readonly onTick?: (elapsedSeconds: number, responses: number) => void;
}

export interface LoadResult {
  /** Requests written to a connection (some may still have been in flight when the run ended). */
  readonly sent: number;
  /** Responses with a 2xx status. */
  readonly ok: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly statusCodes: Record<string, number>;
  /** Seconds the run lasted, as autocannon measured it. */
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** Exact percentiles of every 2xx response time, in ms (autocannon's own histogram rounds to 1 ms). */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * One closed-loop run of autocannon (a maintained load generator, driven here from TypeScript):
 * `connections` keep-alive connections, each sending its next request as soon as the previous
 * answered, for `durationSeconds`, on loopback only. Response times come from autocannon's
 * `response` event, kept in full so the percentiles are exact.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`the bench only loads loopback addresses, not ${url.hostname}`);
  }
  let next = 0;
  const { cookies } = options;
  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  let finish!: (err: unknown, result: autocannon.Result) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, result) => (err ? reject(err) : resolve(result));
  });
  const cannonOptions: autocannon.Options = {
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: [
      {
        method: options.method,
        path: options.paths[0] ?? '/',
        setupRequest(request) {
          const i = next++;
          const cookie = cookies.length > 0 ? cookies[i % cookies.length] : undefined;
          const round = Math.floor(i / Math.max(1, cookies.length));
          const path = options.paths[round % options.paths.length] ?? request.path;
          return {
            ...request,
            path,
            headers: { ...request.headers, ...(cookie ? { cookie } : {}) },
          };
        },
      },
    ],
  };
  const instance = autocannon(cannonOptions, (err, result) => finish(err, result));
  const started = Date.now();
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    codes[statusCode] = (codes[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  let responses = 0;
  instance.on('response', () => responses++);
  const timer = setInterval(() => options.onTick?.((Date.now() - started) / 1000, responses), 1000);
  try {
    const result = await done;
    const ok = latencies.length;
    const seconds = result.duration;
    return {
      sent: result.requests.sent,
      ok,
      non2xx: result.non2xx,
      // autocannon counts a timeout among its errors already.
      errors: result.errors,
      statusCodes: codes,
      seconds,
      requestsPerSecond: ok / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    clearInterval(timer);
  }
}
