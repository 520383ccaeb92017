// A drain that a forgotten idle connection cannot hold up: serve() in a child process (it
// exits the process, as in every app), one client that keeps an idle keep-alive connection open
// and never sends again (Prometheus, once a replica left its targets), one request still running
// at SIGTERM. The slow request must finish with its answer, and the process must exit soon after
// DRAIN_IDLE_GRACE_MS, not at SHUTDOWN_TIMEOUT_MS.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, tcpAccepts, waitUntil } from '@baton/stack';
import { DRAIN_IDLE_GRACE_MS } from '../../src/graceful-server.js';

const SERVE = fileURLToPath(new URL('../../src/graceful-server.js', import.meta.url));
/** Far above the grace, so an exit at the backstop is told apart from one after the grace. */
const SHUTDOWN_TIMEOUT_MS = 9_000;
const SLOW_MS = 1_000;

/** The child: serve() with a `/slow` route, readiness reduced to the one call serve() makes. */
const CHILD = `
import { pino } from 'pino';
import { serve } from ${JSON.stringify(SERVE)};
const slow = ${SLOW_MS};
await serve((req, res) => {
  setTimeout(() => res.end('done'), req.url === '/slow' ? slow : 0);
}, {
  host: '127.0.0.1',
  port: Number(process.env.PORT),
  logger: pino({ level: 'silent' }),
  readiness: { drain() {} },
  shutdownTimeoutMs: ${SHUTDOWN_TIMEOUT_MS},
});
`;

function get(agent: Agent, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('serve() on SIGTERM', () => {
  it('finishes a running request, and an idle keep-alive connection does not hold the exit', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = once(child, 'exit');
    const idleAgent = new Agent({ keepAlive: true });
    const slowAgent = new Agent({ keepAlive: false });
    try {
      assert.equal(
        await waitUntil(tcpAccepts(port), () => child.exitCode === null, 10_000),
        'ready',
      );
      // Answered, then left open and idle in the agent: the connection nobody closes.
      assert.equal((await get(idleAgent, port, '/')).status, 200);
      const slow = get(slowAgent, port, '/slow');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const signalled = Date.now();
      child.kill('SIGTERM');
      const answered = await slow;
      const [code] = await exited;
      const exitMs = Date.now() - signalled;
      console.log(
        `drain: slow request ${answered.status} ${answered.body}, exit ${code} after ${exitMs} ms (grace ${DRAIN_IDLE_GRACE_MS} ms, backstop ${SHUTDOWN_TIMEOUT_MS} ms)`,
      );
      assert.deepEqual(answered, { status: 200, body: 'done' });
      assert.equal(code, 0);
      assert.ok(exitMs >= DRAIN_IDLE_GRACE_MS - 100, `exit after ${exitMs} ms: idle closed early`);
      assert.ok(exitMs < SHUTDOWN_TIMEOUT_MS - 3_000, `exit after ${exitMs} ms: held by idle`);
    } finally {
      idleAgent.destroy();
      slowAgent.destroy();
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
