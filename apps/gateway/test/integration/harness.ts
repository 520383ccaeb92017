import { type IncomingHttpHeaders, type Server, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import {
  Readiness,
  createHttpServer,
  createLogger,
  loadConfig,
  valkeyClientFrom,
} from '@baton/service-kit';
import { type GatewayApp, type GatewayDeps, createApp } from '../../src/app.js';
import { gatewayEnvSchema } from '../../src/config.js';

export interface GatewayUnderTest {
  url: string;
  port: number;
  readiness: Readiness;
  app: GatewayApp;
  /** The app's Valkey connection (the one `/ws` loads sessions on). */
  valkey: Redis;
  close(): Promise<void>;
}

/**
 * Starts a gateway in-process on a free loopback port, configured the way main.ts does it
 * (`/ws` upgrades included), and waits until `/ws` is subscribed and reading session events.
 */
export async function startGateway(
  env: Record<string, string>,
  deps: Pick<GatewayDeps, 'heartbeatMs'> = {},
): Promise<GatewayUnderTest> {
  const config = loadConfig(gatewayEnvSchema, {
    INSTANCE_ID: 'gateway-1',
    PORT: '1',
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = createLogger(config.INSTANCE_ID, config.LOG_LEVEL);
  const valkey = valkeyClientFrom(config);
  valkey.on('error', () => {}); // the readiness test stops Valkey on purpose
  const readiness = new Readiness(valkey);
  const app = createApp(config, { valkey, logger, readiness, ...deps });
  await app.ready();
  const server: Server = createHttpServer(app.handler);
  server.on('upgrade', app.onUpgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    readiness,
    app,
    valkey,
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      valkey.disconnect();
    },
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json(): unknown;
}

/**
 * One HTTP request with full control of the headers (Host, Cookie, Origin, Sec-Fetch-Site, which
 * fetch() would refuse or rewrite) and a fresh connection each time.
 */
export function request(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(path, base),
      { method, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body) as unknown,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
