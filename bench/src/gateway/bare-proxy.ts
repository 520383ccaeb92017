import { createServer } from 'node:http';
import { type Dispatcher, Pool } from 'undici';

/**
 * The floor the gateway bench measures the gateway against: the least a Node proxy does for one
 * request, on the same HTTP client and the same machine. A `node:http` server hands every
 * request to one keep-alive undici `Pool` to `CART_URL` through `dispatch` (as the gateway does)
 * and writes the answer back as it arrives, status and headers as they came. It has none of the
 * gateway's features (no logging, metrics, security headers, CSRF check, token transport,
 * retries or error translation), so what the gateway costs above it is the price of those
 * features and of Express; what it costs itself is Node's HTTP parser and writer on two sockets,
 * and the kernel's loopback. Bodies are relayed when they come with a `Content-Length`, which is
 * all the bench sends.
 *
 * Not a product: a process the bench starts with the gateway's environment (`HOST`, `PORT`,
 * `CART_URL`; `/readyz` answers 200 so the bench's start-up probe works unchanged), and ended by
 * SIGTERM's default action: it holds nothing to drain.
 */
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`bare proxy: ${name} is not set`);
  return value;
};
const pool = new Pool(env('CART_URL'));

const server = createServer((req, res) => {
  if (req.url === '/readyz') {
    res.end('ok');
    return;
  }
  const { host: _host, connection: _connection, ...headers } = req.headers;
  const length = req.headers['content-length'];
  pool.dispatch(
    {
      path: req.url ?? '/',
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: length && length !== '0' ? req : null,
    },
    {
      onRequestStart() {},
      onResponseStart(_controller, status, answer) {
        const { connection: _c, 'keep-alive': _k, ...relayed } = answer;
        res.writeHead(status, relayed);
      },
      onResponseData: (_controller, chunk) => void res.write(chunk),
      onResponseEnd: () => void res.end(),
      onResponseError() {
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end();
      },
    },
  );
});
server.listen(Number(env('PORT')), env('HOST'));
