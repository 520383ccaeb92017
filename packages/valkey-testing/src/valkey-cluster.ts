import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { ValkeyProcess } from './valkey-process.js';

const run = promisify(execFile);

export interface ValkeyClusterOptions {
  /** How many masters (3 is the least `valkey-cli --cluster create` accepts). @default 3 */
  masters?: number;
  /** Extra `--name value` arguments for every node. */
  args?: string[];
  /** How long the cluster may take to reach `cluster_state:ok`, in ms. @default 20_000 */
  readyTimeoutMs?: number;
}

/** One node of the cluster as a client connects to it. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/**
 * A real Valkey Cluster on 127.0.0.1: `masters` `valkey-server` processes with
 * `cluster-enabled yes`, each on a free port with its own temporary directory, joined with
 * `valkey-cli --cluster create` (no replicas: integration tests want the slots spread over
 * several servers, not failover). `start()` resolves once every node reports `cluster_state:ok`;
 * `dispose()` stops every process and removes the directories.
 */
export class ValkeyCluster {
  private constructor(readonly nodes: readonly ValkeyProcess[]) {}

  static async start(options: ValkeyClusterOptions = {}): Promise<ValkeyCluster> {
    const count = options.masters ?? 3;
    if (count < 3) throw new RangeError('a Valkey Cluster needs at least 3 masters');
    const nodes: ValkeyProcess[] = [];
    const cluster = new ValkeyCluster(nodes);
    try {
      for (let i = 0; i < count; i++) {
        nodes.push(
          await ValkeyProcess.start({
            args: [
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              'nodes.conf',
              // The bus defaults to port + 10000, which may be taken or out of range.
              '--cluster-port',
              String(await freePort()),
              '--cluster-node-timeout',
              '2000',
              ...(options.args ?? []),
            ],
          }),
        );
      }
      await run(
        'valkey-cli',
        ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'],
        { timeout: 30_000 },
      );
      await cluster.waitUntilOk(options.readyTimeoutMs ?? 20_000);
      return cluster;
    } catch (err) {
      await cluster.dispose();
      throw err;
    }
  }

  /** Startup nodes for `new Cluster(…)`. */
  get addresses(): ClusterNodeAddress[] {
    return this.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
  }

  /** `127.0.0.1:7000,127.0.0.1:7001,…`: the form `VALKEY_CLUSTER_NODES` takes. */
  get nodeList(): string {
    return this.addresses.map(({ host, port }) => `${host}:${port}`).join(',');
  }

  get pids(): number[] {
    return this.nodes.map((node) => node.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Runs `valkey-cli -p <port> <args…>` against one node and returns its output. */
  async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('valkey-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
      timeout: 10_000,
    });
    return stdout;
  }

  /** Resolves once every node says `cluster_state:ok` (slots assigned, gossip converged). */
  async waitUntilOk(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(
        this.nodes.map((node) => this.cli(node.port, 'CLUSTER', 'INFO').catch(() => '')),
      );
      if (states.every((info) => /cluster_state:ok/.test(info))) return;
      if (Date.now() > deadline) {
        throw new Error(`the cluster did not reach cluster_state:ok within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops every node and removes their directories. */
  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.dispose()));
  }
}
