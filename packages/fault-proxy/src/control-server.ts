import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { FaultProxyError } from './errors.js';
import { faultSchema } from './fault.js';
import type { FaultProxy } from './fault-proxy.js';

/** A control request body is a few dozen bytes; anything near this is not one. */
const BODY_LIMIT_BYTES = 16 * 1024;

const linkSchema = z
  .object({
    port: z.number().int().min(0).max(65_535),
    target: z
      .object({ host: z.string().min(1), port: z.number().int().min(1).max(65_535) })
      .strict(),
  })
  .strict();

/** Link names as the stack writes them: `cart-1>valkey`, `nginx>gateway-2`. */
const LINK_PATH = /^\/links\/([A-Za-z0-9._>-]{1,64})(\/fault)?$/;

/**
 * The HTTP control API of a running proxy, on 127.0.0.1 only (it can cut any link):
 *
 * ```
 * GET    /links                     → [{name, port, target, fault, stats}]
 * GET    /links/<name>              → {name, port, target, fault, stats}
 * PUT    /links/<name>              {"port":0,"target":{"host":"127.0.0.1","port":6379}} → the link
 * PUT    /links/<name>/fault        {"mode":"latency","ms":200} → the link
 * DELETE /links/<name>              → 204
 * ```
 *
 * Errors are `{"error":{"code","message"}}`: 400 for a bad body, 404 for an unknown link or
 * route, 409 for a port conflict.
 */
export function controlServer(proxy: FaultProxy): Server {
  return http.createServer((req, res) => {
    route(proxy, req).then(
      ({ status, body }) => send(res, status, body),
      (error: unknown) => {
        const known = error instanceof FaultProxyError ? error : null;
        const code = known?.code ?? 'FAULT_PROXY_INTERNAL';
        const message = known?.message ?? 'internal error';
        send(res, known?.status ?? 500, { error: { code, message } });
      },
    );
  });
}

/** @private */
async function route(
  proxy: FaultProxy,
  req: IncomingMessage,
): Promise<{ status: number; body?: unknown }> {
  const url = new URL(req.url ?? '/', 'http://control');
  if (url.pathname === '/healthz' && req.method === 'GET')
    return { status: 200, body: { status: 'ok' } };
  if (url.pathname === '/links' && req.method === 'GET') return { status: 200, body: proxy.list() };
  const match = LINK_PATH.exec(decodePath(url.pathname));
  if (!match) throw new FaultProxyError('LINK_NOT_FOUND', `no route ${req.method} ${url.pathname}`);
  const name = match[1]!;
  if (match[2]) {
    if (req.method !== 'PUT') throw notAllowed(req);
    return { status: 200, body: proxy.setFault(name, parse(faultSchema, await readJson(req))) };
  }
  switch (req.method) {
    case 'GET':
      return { status: 200, body: proxy.get(name) };
    case 'PUT': {
      const { port, target } = parse(linkSchema, await readJson(req));
      return { status: 200, body: await proxy.ensure(name, port, target) };
    }
    case 'DELETE':
      await proxy.remove(name);
      return { status: 204 };
    default:
      throw notAllowed(req);
  }
}

/** The path with `%3E` and friends decoded; a malformed escape matches no route. @private */
function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** @private */
function notAllowed(req: IncomingMessage): FaultProxyError {
  return new FaultProxyError(
    'FAULT_PROXY_INPUT_INVALID',
    `${req.method} is not allowed on ${req.url}`,
  );
}

/** @private */
function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  throw new FaultProxyError(
    'FAULT_PROXY_INPUT_INVALID',
    `${where}: ${issue?.message ?? 'invalid'}`,
  );
}

/** @private */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) {
      throw new FaultProxyError('FAULT_PROXY_INPUT_INVALID', `body over ${BODY_LIMIT_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new FaultProxyError('FAULT_PROXY_INPUT_INVALID', 'body is not JSON');
  }
}

/** @private */
function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
