import autocannon from 'autocannon';
import { HttpClient } from './http-client.js';
import { percentile } from './stats.js';

/**
 * Creates `count` sessions on the cart replica at `url`, each with `apple` and then `items`;
 * resolves their `X-Auth-Token`s.
 */
export async function seedSessions(
  url: string,
  count: number,
  items: readonly string[] = [],
): Promise<string[]> {
  const client = new HttpClient(url);
  try {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const first = await client.request('POST', '/cart/apple');
      const token = first.headers['x-auth-token'] as string;
      for (const item of items) {
        await client.request('POST', `/cart/${item}`, { 'x-auth-token': token });
      }
      tokens.push(token);
    }
    return tokens;
  } finally {
    client.close();
  }
}

export interface ReplicaLoadOptions {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Connections to each replica. */
  readonly connections: number;
  readonly seconds: number;
}

export interface ReplicaLoad {
  /** 2xx responses, all replicas together. */
  readonly ok: number;
  /** Other statuses, connection errors and timeouts. */
  readonly failed: number;
  readonly requestsPerSecond: number;
  /** Exact percentiles of every 2xx response time of all replicas, in ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Closed loops of one request on every replica at once (what nginx's round robin does, without
 * the hops), each cycling through the sessions by `X-Auth-Token` from a random one on.
 */
export async function loadReplicas(
  urls: readonly string[],
  tokens: readonly string[],
  options: ReplicaLoadOptions,
): Promise<ReplicaLoad> {
  const loads = await Promise.all(urls.map((url) => loadOne(url, tokens, options)));
  const latencies = loads.flatMap((r) => r.latencies);
  return {
    ok: loads.reduce((sum, r) => sum + r.ok, 0),
    failed: loads.reduce((sum, r) => sum + r.failed, 0),
    requestsPerSecond: loads.reduce((sum, r) => sum + r.ok / r.seconds, 0),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** @private A closed loop on one replica, cycling through the sessions. */
async function loadOne(
  url: string,
  tokens: readonly string[],
  options: ReplicaLoadOptions,
): Promise<{ ok: number; failed: number; seconds: number; latencies: number[] }> {
  let next = Math.floor(Math.random() * tokens.length);
  const latencies: number[] = [];
  let failed = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.seconds,
        timeout: 10,
        requests: [
          {
            method: options.method,
            path: options.path,
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, 'x-auth-token': tokens[next++ % tokens.length] },
            }),
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else failed++;
    });
  });
  return {
    ok: latencies.length,
    failed: failed + result.errors + result.timeouts,
    seconds: result.duration,
    latencies,
  };
}
