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
  /** Users from an ACL file (`--aclfile`), e.g. the platform's `infra/valkey/users.acl`. */
  aclFile?: string;
  /**
   * The `default` user's password when `aclFile` gives it one: `start()` sends AUTH with it before
   * the PING that tells it the server is up (and done loading).
   */
  defaultPassword?: string;
  /**
   * Also listen with TLS on a second free port ({@link ValkeyProcess.tlsUrl}); clients are not
   * asked for a certificate. The plain port stays open for the start-up probe.
   */
  tls?: ValkeyTlsFiles;
}

/** PEM files for `--tls-port`: the server's certificate and key, and the CA that signed it. */
export interface ValkeyTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
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
    /** The TLS port when started with `tls`. */
    readonly tlsPort?: number,
  ) {}

  static async start(options: ValkeyProcessOptions = {}): Promise<ValkeyProcess> {
    const port = await freePort();
    let tlsPort = options.tls ? await freePort() : undefined;
    while (tlsPort === port) tlsPort = await freePort();
    const valkey = new ValkeyProcess(port, options, tlsPort);
    await valkey.launch();
    return valkey;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `rediss://127.0.0.1:<tlsPort>`; throws unless started with `tls`. */
  get tlsUrl(): string {
    if (this.tlsPort === undefined) throw new Error('ValkeyProcess was started without tls');
    return `rediss://127.0.0.1:${this.tlsPort}`;
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

  /** Kills the server with SIGKILL (a crash: nothing is flushed) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
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
      ...(this.options.aclFile ? ['--aclfile', this.options.aclFile] : []),
      ...(this.options.tls ? tlsArgs(this.options.tls, this.tlsPort as number) : []),
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
    await Promise.race([waitForPing(this.port, 10_000, this.options.defaultPassword), failed]);
  }
}

/** @private */
function tlsArgs(files: ValkeyTlsFiles, port: number): string[] {
  return [
    ...['--tls-port', String(port)],
    ...['--tls-cert-file', files.certFile, '--tls-key-file', files.keyFile],
    ...['--tls-ca-cert-file', files.caFile, '--tls-auth-clients', 'no'],
  ];
}

/** @private Polls with a raw RESP PING until the server answers PONG (not LOADING). */
async function waitForPing(port: number, timeoutMs: number, password?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ping(port, password)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`valkey-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

/** @private AUTH (when there is a password) and PING; true when the PING's reply is PONG. */
function ping(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const replies = password === undefined ? 1 : 2;
    let received = '';
    socket.setTimeout(500);
    socket.once('connect', () => {
      if (password !== undefined) {
        socket.write(`*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n`);
      }
      socket.write('PING\r\n');
    });
    socket.on('data', (data) => {
      received += data.toString();
      const lines = received.split('\r\n');
      if (lines.length <= replies) return;
      socket.destroy();
      resolve(lines[replies - 1]!.startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
