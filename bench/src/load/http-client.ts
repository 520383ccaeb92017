import http from 'node:http';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A small keep-alive HTTP/1.1 client for everything that is not a throughput run (seeding,
 * consistency checks, latency samples): node:http with a pooled agent, so its own cost is small
 * and constant, and with no limit on sockets, so 50 concurrent requests are 50 connections.
 */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly url: URL;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  request(
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders = {},
  ): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers,
          agent: this.agent,
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `name=value` of the cookie `name` in a response's Set-Cookie headers, or undefined. */
export function setCookie(res: HttpResponse, name: string): string | undefined {
  for (const line of res.headers['set-cookie'] ?? []) {
    const pair = line.split(';', 1)[0] ?? '';
    if (pair.startsWith(`${name}=`)) return pair;
  }
  return undefined;
}

/** The `cart` array of a cart response body. */
export function cartOf(res: HttpResponse): string[] {
  const body = JSON.parse(res.body) as { cart?: unknown };
  if (!Array.isArray(body.cart)) throw new Error(`no cart in ${res.body.slice(0, 200)}`);
  return body.cart as string[];
}
