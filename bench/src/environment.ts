import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { VariantClient } from './sessions/variant-client.js';
import { ProcessSupervisor } from '@baton/process-supervisor';
import { type ValkeyServer, startValkey } from './stack/valkey-server.js';
import { type VariantStack, startVariantStack } from './stack/variant-stack.js';
import { VARIANTS, type VariantName } from './variants/variant.js';
import { randomBytes } from 'node:crypto';

/** The tiers whose CPU time the bench accounts per request. */
export const TIERS = ['nginx', 'gateways', 'carts', 'valkey'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * Everything one bench invocation runs, on one machine: one Valkey, and for each variant its own
 * nginx (the project's template), two gateways and two cart replicas, all on free 127.0.0.1
 * ports under a temporary directory. The three stacks stay up for the whole run (idle ones cost
 * nothing), so repeats interleave variants without restarts; Valkey is flushed between runs.
 */
export class BenchEnvironment {
  private readonly clients = new Map<VariantName, VariantClient>();

  private constructor(
    readonly supervisor: ProcessSupervisor,
    readonly dir: string,
    readonly valkey: ValkeyServer,
    readonly stacks: Record<VariantName, VariantStack>,
    /** The bench's own connection: FLUSHALL, INFO, MEMORY USAGE, preloading. */
    readonly admin: Redis,
    readonly baselineSecret: string,
    private readonly keepDir: boolean,
  ) {}

  static async start(options: {
    root: string;
    keepDir?: boolean;
    /** Progress while starting. */
    onEvent: (line: string) => void;
    /** Lines that must be seen (a signal stopping the run). */
    onLog: (line: string) => void;
  }): Promise<BenchEnvironment> {
    const supervisor = new ProcessSupervisor();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'baton-bench-'));
    supervisor.installExitHandlers(options.onLog, async () => {
      if (!options.keepDir) await rm(dir, { recursive: true, force: true });
    });
    // nginx workers run as an unprivileged user when the bench runs as root.
    await chmod(dir, 0o755);
    const secret = randomBytes(24).toString('base64url');
    let admin: Redis | undefined;
    try {
      options.onEvent('starting valkey-server');
      const valkey = await startValkey(supervisor, options.root, dir);
      admin = new Redis(valkey.url, { maxRetriesPerRequest: 1, lazyConnect: true });
      await admin.connect();
      const stacks = {} as Record<VariantName, VariantStack>;
      for (const variant of VARIANTS) {
        options.onEvent(`starting ${variant}: nginx, gateway-1/2, cart-1/2`);
        stacks[variant] = await startVariantStack({
          supervisor,
          root: options.root,
          dir: path.join(dir, variant),
          valkeyUrl: valkey.url,
          variant,
          baselineSecret: secret,
        });
      }
      return new BenchEnvironment(
        supervisor,
        dir,
        valkey,
        stacks,
        admin,
        secret,
        options.keepDir ?? false,
      );
    } catch (err) {
      admin?.disconnect();
      await supervisor.stopAll();
      if (!options.keepDir) await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  client(variant: VariantName): VariantClient {
    let client = this.clients.get(variant);
    if (!client) {
      client = new VariantClient(variant, this.stacks[variant].edgeUrl);
      this.clients.set(variant, client);
    }
    return client;
  }

  /** PIDs per tier of one variant (nginx with its workers), for CPU accounting. */
  pidsByTier(variant: VariantName): Record<Tier, number[]> {
    const stack = this.stacks[variant];
    const s = this.supervisor;
    return {
      nginx: s.pidsOf(stack.nginx),
      gateways: stack.gateways.map((g) => g.pid),
      carts: stack.carts.map((c) => c.pid),
      valkey: [this.valkey.process.pid],
    };
  }

  /** Empties Valkey (synchronously, so the memory is back before the next measurement). */
  async flush(): Promise<void> {
    await this.admin.call('FLUSHALL', 'SYNC');
  }

  async stop(): Promise<void> {
    for (const client of this.clients.values()) client.close();
    this.admin.disconnect();
    await this.supervisor.stopAll();
    if (!this.keepDir) await rm(this.dir, { recursive: true, force: true });
  }
}
