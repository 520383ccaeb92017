import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface ValkeyProcessOptions {
  /** Keep data across `restart()` with an append-only file. @default false */
  appendOnly?: boolean;
  /** Extra `--name value` arguments, e.g. `['--maxmemory', '1mb']`. */
  args?: string[];
}

/**
 * A real `valkey-server` on 127.0.0.1 and a free port, with its own temporary directory.
 * Integration tests start one in `before()` and `stop()` it in `after()`; `stop()` and
 * `restart()` let a test take the store away and bring it back on the same port.
 */
export class ValkeyProcess {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'baton-valkey-'));

  private constructor(
    readonly port: number,
    private readonly options: ValkeyProcessOptions,
  ) {}

  static async start(options: ValkeyProcessOptions = {}): Promise<ValkeyProcess> {
    const valkey = new ValkeyProcess(await freePort(), options);
    await valkey.launch();
    return valkey;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Stops the server (SIGTERM, so an AOF is flushed) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** Starts the server again on the same port and directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** @private */
  private async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.options.appendOnly ? 'yes' : 'no',
      '--notify-keyspace-events',
      'Egx',
      ...(this.options.args ?? []),
    ];
    const child = spawn('valkey-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(new Error(`cannot start valkey-server (run ./scripts/setup.sh): ${err.message}`)),
      );
      child.once('exit', (code) =>
        reject(new Error(`valkey-server exited early with code ${code}`)),
      );
    });
    failed.catch(() => undefined);
    await Promise.race([waitForPing(this.port, 10_000), failed]);
  }
}

/** @private Polls with a raw RESP PING until the server answers PONG (not LOADING). */
async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`valkey-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

/** @private */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
