import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { ValkeyProcess } from './valkey-process.js';

const run = promisify(execFile);

export interface ValkeySentinelGroupOptions {
  /** The master group name sentinels monitor (ioredis' `name`). @default 'baton' */
  name?: string;
  /** How long a primary may be silent before a sentinel thinks it is down. @default 1000 */
  downAfterMs?: number;
  /** Sentinel's `failover-timeout`: also the back-off before a failed election is retried. @default 2000 */
  failoverTimeoutMs?: number;
  /** How long `start()` and `killPrimary()` wait for the sentinels to agree, in ms. @default 20000 */
  settleTimeoutMs?: number;
}

/** Where a sentinel listens. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/** What `killPrimary()` saw. */
export interface FailoverReport {
  /** The port of the primary that was killed. */
  killedPort: number;
  /** `performance.now()` once the killed server had exited: from then on nothing reaches it. */
  killedAt: number;
  /** The port of the replica the sentinels promoted. */
  newPrimaryPort: number;
  /** From the SIGKILL until every sentinel named the new primary and it answered as a master. */
  promotedAfterMs: number;
}

/**
 * One primary, one replica (`--replicaof`) and three `valkey-sentinel` processes on free loopback
 * ports, each with its own temporary directory (a sentinel rewrites its config file, so it needs
 * a writable one). Timeouts are low so that a failover takes seconds, not the production half
 * minute. `start()` returns once all three sentinels name the same primary, see the replica and
 * know each other: before that a SIGKILL of the primary could not be failed over (an election
 * needs a majority of sentinels that know each other).
 */
export class ValkeySentinelGroup {
  readonly name: string;
  private readonly sentinelProcesses: SentinelProcess[] = [];
  private primaryNode: ValkeyProcess;
  private replicaNode: ValkeyProcess;

  private constructor(
    private readonly options: Required<ValkeySentinelGroupOptions>,
    primary: ValkeyProcess,
    replica: ValkeyProcess,
  ) {
    this.name = options.name;
    this.primaryNode = primary;
    this.replicaNode = replica;
  }

  static async start(input: ValkeySentinelGroupOptions = {}): Promise<ValkeySentinelGroup> {
    const options = {
      name: input.name ?? 'baton',
      downAfterMs: input.downAfterMs ?? 1_000,
      failoverTimeoutMs: input.failoverTimeoutMs ?? 2_000,
      settleTimeoutMs: input.settleTimeoutMs ?? 20_000,
    };
    // A primary waits 5 s by default before a diskless full sync, in case more replicas come.
    const noSyncDelay = ['--repl-diskless-sync-delay', '0'];
    const primary = await ValkeyProcess.start({ args: noSyncDelay });
    let replica: ValkeyProcess | undefined;
    let group: ValkeySentinelGroup | undefined;
    try {
      replica = await ValkeyProcess.start({
        args: [...noSyncDelay, '--replicaof', '127.0.0.1', String(primary.port)],
      });
      group = new ValkeySentinelGroup(options, primary, replica);
      for (let i = 0; i < 3; i++) {
        group.sentinelProcesses.push(await SentinelProcess.start(options, primary.port));
      }
      await group.waitUntilSettled(primary.port);
      return group;
    } catch (err) {
      if (group) await group.dispose();
      else await Promise.all([primary.dispose(), replica?.dispose()]);
      throw err;
    }
  }

  /** The three sentinels, as ioredis' `sentinels` option wants them. */
  get sentinels(): SentinelAddress[] {
    return this.sentinelProcesses.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`: the `VALKEY_SENTINELS` variable's format. */
  get sentinelList(): string {
    return this.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
  }

  /** The server the sentinels currently name as primary. */
  get primary(): ValkeyProcess {
    return this.primaryNode;
  }

  /** The other server: the replica (stopped, or dead after `killPrimary()`, it still has its port). */
  get replica(): ValkeyProcess {
    return this.replicaNode;
  }

  /**
   * SIGKILLs the primary (a crash: no goodbye to replicas or sentinels) and waits until every
   * sentinel names the replica as the new primary and it answers `ROLE` as a master. The killed
   * server stays down; `replica` is then that dead server.
   */
  async killPrimary(): Promise<FailoverReport> {
    const killed = this.primaryNode;
    const started = performance.now();
    await killed.kill();
    const killedAt = performance.now();
    const promoted = this.replicaNode;
    await this.waitUntil(
      `the sentinels to promote 127.0.0.1:${promoted.port}`,
      async () =>
        (await this.allSentinelsName(promoted.port)) && (await role(promoted.port)) === 'master',
    );
    this.primaryNode = promoted;
    this.replicaNode = killed;
    return {
      killedPort: killed.port,
      killedAt,
      newPrimaryPort: promoted.port,
      promotedAfterMs: Math.round(performance.now() - started),
    };
  }

  /**
   * Starts the replica again if it is down (after `replica.stop()`, or the primary `killPrimary()`
   * left dead, as a supervisor would restart it), points it at the current primary and waits until
   * it is in sync and every sentinel sees it as a healthy replica. A dead primary must come back
   * only as a replica: restarted empty as a primary before the failover, it would be synced from.
   */
  async restoreReplica(): Promise<void> {
    const node = this.replicaNode;
    if (node.pid === undefined) await node.restart();
    await cli(node.port, 'REPLICAOF', '127.0.0.1', String(this.primaryNode.port));
    await this.waitUntilSettled(this.primaryNode.port);
  }

  /** Stops every process (sentinels first, so none of them starts a failover) and removes the directories. */
  async dispose(): Promise<void> {
    await Promise.all(this.sentinelProcesses.map((s) => s.dispose()));
    await Promise.all([this.primaryNode.dispose(), this.replicaNode.dispose()]);
  }

  /** @private Every sentinel names `primaryPort`, sees one healthy replica and the two other sentinels; the replica is in sync. */
  private async waitUntilSettled(primaryPort: number): Promise<void> {
    await this.waitUntil(
      'the sentinels to agree on the primary, replica and each other',
      async () => {
        if (!(await this.allSentinelsName(primaryPort))) return false;
        for (const sentinel of this.sentinelProcesses) {
          const replicas = await cli(sentinel.port, 'SENTINEL', 'REPLICAS', this.name);
          // The replica's entry (name, ip, port, …) must carry exactly the flag `slave`: not s_down.
          const entry = replicas
            .split(/^name$/m)
            .find((e) => e.includes(`\n${this.replicaNode.port}\n`));
          if (!entry || !/^flags\nslave$/m.test(entry)) return false;
          const others = await cli(sentinel.port, 'SENTINEL', 'SENTINELS', this.name);
          if ((others.match(/^flags$/gm) ?? []).length < 2) return false;
        }
        const info = await cli(this.replicaNode.port, 'INFO', 'replication');
        return info.includes('master_link_status:up');
      },
    );
  }

  /** @private */
  private async allSentinelsName(port: number): Promise<boolean> {
    for (const sentinel of this.sentinelProcesses) {
      const reply = await cli(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name);
      if (reply.trim().split('\n')[1] !== String(port)) return false;
    }
    return true;
  }

  /** @private */
  private async waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.options.settleTimeoutMs;
    while (Date.now() < deadline) {
      if (await check().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out after ${this.options.settleTimeoutMs} ms waiting for ${what}`);
  }
}

/** @private One `valkey-sentinel` with its own directory and config file. */
class SentinelProcess {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(
    options: Required<ValkeySentinelGroupOptions>,
    primaryPort: number,
  ): Promise<SentinelProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'baton-sentinel-'));
    const config = join(dir, 'sentinel.conf');
    const { name } = options;
    writeFileSync(
      config,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        // `monitor` must come before the settings of its group. Quorum 2 of 3.
        `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${name} ${options.downAfterMs}`,
        `sentinel failover-timeout ${name} ${options.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const child = spawn('valkey-sentinel', [config], { stdio: ['ignore', 'ignore', 'pipe'] });
    const sentinel = new SentinelProcess(port, dir, child);
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(new Error(`cannot start valkey-sentinel (run ./scripts/setup.sh): ${err.message}`)),
      );
      child.once('exit', (code) =>
        reject(new Error(`valkey-sentinel exited early with code ${code}`)),
      );
    });
    failed.catch(() => undefined);
    try {
      await Promise.race([waitForPong(port), failed]);
    } catch (err) {
      await sentinel.dispose();
      throw err;
    }
    return sentinel;
  }

  async dispose(): Promise<void> {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** @private One command through `valkey-cli` (raw output, one reply element per line). */
async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('valkey-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 2_000,
  });
  return stdout;
}

/** @private */
async function role(port: number): Promise<string> {
  return (await cli(port, 'ROLE')).split('\n')[0] ?? '';
}

/** @private */
async function waitForPong(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await cli(port, 'PING').catch(() => '')).startsWith('PONG')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`valkey-sentinel on port ${port} did not answer PING within 10000 ms`);
}
