import os from 'node:os';
import { BenchEnvironment } from './environment.js';
import {
  GATEWAY_FULL,
  GATEWAY_QUICK,
  gatewayBuilds,
  runGatewayBench,
} from './gateway/gateway-bench.js';
import type { BenchPlan } from './plan.js';
import { Progress } from './progress.js';
import { machineInfo } from './report/machine.js';
import type { BenchResults } from './results.js';
import { lostKeyUpdates, lostUpdates, readYourWrites } from './scenarios/consistency.js';
import { type MemoryResult, measureMemory } from './scenarios/memory.js';
import { profileCarts } from './scenarios/profile.js';
import { measureRoundTrips } from './scenarios/round-trips.js';
import { measureScale } from './scenarios/scale.js';
import { ROUTES, measureThroughput } from './scenarios/throughput.js';
import { VALKEY_OVERRIDES } from './stack/valkey-server.js';
import {
  MEMORY_VARIANTS,
  SCALE_VARIANTS,
  SESSION_VARIANTS,
  VARIANTS,
  type VariantName,
} from './variants/variant.js';

/** The what-if limit for Baton's hashes: above a 10-item cart's JSON, below a big session's. */
const LISTPACK_VALUE_WHAT_IF = '1024';

export interface RunOptions {
  readonly root: string;
  readonly plan: BenchPlan;
  /** How the report quotes the command that made it. */
  readonly command: string;
  readonly keepTemp: boolean;
}

/**
 * One invocation: starts Valkey and the four stacks, runs every measurement of `plan` in turn,
 * stops everything, and returns the figures. A measurement that fails is recorded in `problems`
 * and the others still run; only a failure to start the processes throws.
 */
export async function runBench({
  root,
  plan,
  command,
  keepTemp,
}: RunOptions): Promise<BenchResults> {
  const steps =
    2 +
    VARIANTS.length +
    plan.repeats * ROUTES.length * VARIANTS.length +
    SESSION_VARIANTS.length * 3 +
    MEMORY_VARIANTS.length +
    SCALE_VARIANTS.length +
    1 +
    (plan.profileSeconds > 0 ? VARIANTS.length + 1 : 0) +
    2;
  const progress = new Progress(steps);
  const problems: string[] = [];
  const started = Date.now();
  const loadBefore = os.loadavg();

  /** Runs one phase; a failure is recorded (exit code 1) and the other phases still run. */
  async function phase<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      progress.log(`FAILED ${name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  progress.step('starting valkey-server and five stacks (nginx + 2 gateways + 2 carts each)');
  const env = await BenchEnvironment.start({
    root,
    keepDir: keepTemp,
    onEvent: (line) => progress.detail(line),
    onLog: (line) => progress.log(line),
  });
  let results: BenchResults;
  try {
    progress.step('Valkey commands per request (MONITOR, INFO commandstats)');
    const roundTrips = (await phase('round trips', () => measureRoundTrips(env))) ?? [];
    const appCommands = {} as Record<VariantName, Set<string>>;
    for (const variant of VARIANTS) {
      const names = roundTrips
        .filter((r) => r.variant === variant)
        .flatMap((r) => r.commands.map((c) => (c.split(' ')[0] ?? '').toLowerCase()));
      appCommands[variant] = new Set(names);
    }
    // What one script call runs inside, on average, per command name (INFO commandstats counts
    // those too: BatonStore's touch sends PEXPIRE, and its save-delta script runs one).
    const innerPerScript = {} as Record<VariantName, Record<string, number>>;
    for (const variant of VARIANTS) {
      const ofVariant = roundTrips.filter((r) => r.variant === variant);
      const scripts = ofVariant
        .flatMap((r) => r.commands)
        .filter((c) => /^eval(sha)?\b/i.test(c)).length;
      const inner: Record<string, number> = {};
      for (const name of ofVariant.flatMap((r) => r.scriptCommands)) {
        inner[name.toLowerCase()] = (inner[name.toLowerCase()] ?? 0) + 1 / Math.max(1, scripts);
      }
      innerPerScript[variant] = inner;
    }
    const throughput =
      (await phase('throughput', () =>
        measureThroughput(env, {
          ...plan,
          appCommands,
          innerPerScript,
          onRun: (label) => progress.step(label),
          onTick: (label, elapsed, responses) =>
            progress.detail(`${label}: ${elapsed.toFixed(0)} s, ${responses} responses`),
        }),
      )) ?? [];
    for (const run of throughput) {
      if (run.load.non2xx > 0 || run.load.errors > 0) {
        problems.push(
          `${run.route} ${run.variant} #${run.repeat}: ${run.load.non2xx} non-2xx responses (${JSON.stringify(run.load.statusCodes)}), ${run.load.errors} errors`,
        );
      }
    }

    const lost = [];
    const lostKeys = [];
    const ryw = [];
    for (const variant of SESSION_VARIANTS) {
      progress.step(
        `lost updates: ${plan.lostUpdateConcurrency} concurrent adds on one session, ${variant}`,
      );
      const l = await phase(`lost updates ${variant}`, () =>
        lostUpdates(env, variant, plan.lostUpdateConcurrency),
      );
      if (l) lost.push(l);
      progress.step(
        `lost updates: ${plan.lostUpdateConcurrency} concurrent writes of different keys, ${variant}`,
      );
      const k = await phase(`lost updates (different keys) ${variant}`, () =>
        lostKeyUpdates(env, variant, plan.lostUpdateConcurrency),
      );
      if (k) lostKeys.push(k);
      progress.step(
        `read-your-writes: ${plan.readYourWritesPairs} add-then-read pairs, ${variant}`,
      );
      const r = await phase(`read-your-writes ${variant}`, () =>
        readYourWrites(env, variant, plan.readYourWritesPairs),
      );
      if (r) ryw.push(r);
    }

    const memory: MemoryResult[] = [];
    for (const variant of MEMORY_VARIANTS) {
      progress.step(`memory: ${plan.memorySessions} sessions of 10 items, ${variant}`);
      const m = await phase(`memory ${variant}`, () =>
        measureMemory(env, variant, plan.memorySessions),
      );
      if (m) memory.push(m);
    }
    const batonMemory = memory.find((m) => m.variant === 'baton');
    if (batonMemory && batonMemory.encoding !== 'listpack') {
      // What keeps Baton's hashes compact: a value over hash-max-listpack-value (64 bytes by
      // default) turns the whole hash into a hashtable. Measured once with a higher limit.
      progress.step(`memory: baton again with hash-max-listpack-value ${LISTPACK_VALUE_WHAT_IF}`);
      const m = await phase('memory baton (what-if)', () =>
        measureMemory(env, 'baton', plan.memorySessions, [
          'hash-max-listpack-value',
          LISTPACK_VALUE_WHAT_IF,
        ]),
      );
      if (m) memory.push(m);
    } else {
      progress.step('memory: baton hashes are listpacks already');
    }

    const scale = [];
    for (const variant of SCALE_VARIANTS) {
      progress.step(
        `scale: ${plan.scaleLevels.map((n) => n.toLocaleString('en')).join(' / ')} sessions, ${variant}`,
      );
      const template = memory.find((m) => m.variant === variant && !m.setting)?.sample;
      if (!template) {
        problems.push(`scale ${variant}: skipped, the memory measurement gave no session to copy`);
        continue;
      }
      const s = await phase(`scale ${variant}`, () =>
        measureScale(env, variant, template, {
          ...plan,
          levels: plan.scaleLevels,
          onProgress: (line) => progress.detail(line),
        }),
      );
      if (s) scale.push(s);
    }

    const profiles = [];
    if (plan.profileSeconds > 0) {
      for (const variant of VARIANTS) {
        progress.step(`CPU profile of the cart replicas under GET /cart, ${variant}`);
        const p = await phase(`profile ${variant}`, () =>
          profileCarts(env, variant, plan.profileSeconds, plan.connections, plan.sessions),
        );
        if (p) profiles.push(p);
      }
    }
    let gatewayProfile;
    if (plan.profileSeconds > 0) {
      progress.step('CPU profile of the gateways under GET /cart, cart-service');
      gatewayProfile = await phase('profile gateways', () =>
        profileCarts(
          env,
          'cart-service',
          plan.profileSeconds,
          plan.connections,
          plan.sessions,
          'gateways',
        ),
      );
    }

    progress.step('stopping the stacks');
    await env.stop();
    // Last, on a machine the stacks have left: the gateway alone, beside the floor (a bare
    // proxy), both in front of one control cart. Its profile is the stack's, above.
    progress.step('the gateway alone, beside a bare proxy (the floor), then writing the report');
    const gateway = await phase('gateway alone', () =>
      runGatewayBench(
        env.supervisor,
        root,
        { ...(plan.mode === 'full' ? GATEWAY_FULL : GATEWAY_QUICK), profileSeconds: 0 },
        gatewayBuilds([]),
        (line) => progress.detail(line),
      ),
    );
    for (const run of gateway?.runs ?? []) {
      if (run.failed > 0)
        problems.push(
          `gateway alone, ${run.build} ${run.route} #${run.repeat}: ${run.failed} failed`,
        );
    }
    results = {
      plan,
      machine: machineInfo(root),
      command,
      startedAt: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      loadBefore,
      loadAfter: os.loadavg(),
      valkeyCommandLine: `valkey-server ${VALKEY_OVERRIDES}`,
      roundTrips,
      throughput,
      lostUpdates: lost,
      lostKeyUpdates: lostKeys,
      readYourWrites: ryw,
      memory,
      scale,
      profiles,
      ...(gatewayProfile ? { gatewayProfile } : {}),
      ...(gateway ? { gateway } : {}),
      problems,
    };
  } catch (err) {
    await env.stop();
    throw err;
  }
  progress.stop();
  return results;
}
