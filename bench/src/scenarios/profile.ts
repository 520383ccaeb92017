import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { BenchEnvironment } from '../environment.js';
import { runLoad } from '../load/load-generator.js';
import { inParallel } from '../sessions/variant-client.js';
import { SEEDED_CART } from '../variants/control-cart.js';
import type { VariantName } from '../variants/variant.js';

export interface ProfileEntry {
  readonly name: string;
  /** Share of the replicas' non-idle CPU samples during the load, 0..1. */
  readonly share: number;
  /** Self time per request, in µs (under the profiler, which slows everything a little). */
  readonly microsPerRequest: number;
}

export interface CartProfile {
  readonly variant: VariantName;
  /** Whose processes were profiled (absent in results from before gateways were: the carts). */
  readonly tier?: 'carts' | 'gateways';
  readonly requests: number;
  /** Of those, the ones answered while the profile was sampled (a steady rate assumed). */
  readonly windowRequests: number;
  /** Non-idle CPU time the profiler sampled in both cart replicas during the load, in ms. */
  readonly sampledMs: number;
  /** Self time grouped by where the code lives (a package, Node core, GC). */
  readonly byOrigin: ProfileEntry[];
  /** The functions with the most self time. */
  readonly topFunctions: ProfileEntry[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Samples this close to the start or the end of the load are left out (clock alignment). */
const EDGE_MS = 250;

/**
 * Where a cart replica (or, with `tier`, a gateway) spends its CPU under `GET /cart` load: both
 * replicas are restarted under
 * V8's sampling profiler (`node --cpu-prof`), loaded for `seconds` through the edge, stopped
 * (which writes the profiles) and restarted without it. Only samples taken during the load
 * count (start-up and module loading are left out). Self time is grouped by origin (package,
 * Node core, GC) and by function.
 */
export async function profileCarts(
  env: BenchEnvironment,
  variant: VariantName,
  seconds: number,
  connections: number,
  sessions: number,
  tier: 'carts' | 'gateways' = 'carts',
): Promise<CartProfile> {
  const dir = path.join(env.dir, 'profiles', tier === 'carts' ? variant : `${variant}-${tier}`);
  const stack = env.stacks[variant];
  const restart = (nodeArgs: string[]) =>
    tier === 'carts' ? stack.restartCarts(nodeArgs) : stack.restartGateways(nodeArgs);
  await restart(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const spawned = new Map(stack[tier].map((c) => [c.pid, c.startedAt]));
  await env.flush();
  const client = env.client(variant);
  const cookies = await inParallel(sessions, 16, () => client.newSession(SEEDED_CART));
  const from = Date.now() + EDGE_MS;
  const result = await runLoad({
    url: stack.edgeUrl,
    method: 'GET',
    paths: ['/cart'],
    cookies,
    connections,
    durationSeconds: seconds,
  });
  const to = Date.now() - EDGE_MS;
  await restart([]);
  const summary = await summarizeProfiles(dir, spawned, from, to);
  // Requests answered inside the sampled window, assuming a steady rate over the run.
  const requests = (result.ok * Math.max(0, to - from)) / (result.seconds * 1000);
  return {
    variant,
    tier,
    requests: result.ok,
    windowRequests: requests,
    sampledMs: summary.sampledMs,
    ...perRequest(summary, requests),
  };
}

/** Self time of `node --cpu-prof` profiles, in ms, by origin and by function. */
export interface ProfileSummary {
  /** Non-idle CPU time sampled in the window, in ms, all profiles together. */
  readonly sampledMs: number;
  readonly byOrigin: ReadonlyMap<string, number>;
  readonly byFunction: ReadonlyMap<string, number>;
}

/**
 * Reads the `.cpuprofile` files in `dir` of the processes in `spawned` (pid → the wall-clock
 * ms it was started at) and sums the self time of the samples taken between `from` and `to`
 * (wall-clock ms), idle left out.
 */
export async function summarizeProfiles(
  dir: string,
  spawned: ReadonlyMap<number, number>,
  from: number,
  to: number,
): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`the profiler wrote no .cpuprofile to ${dir}`);
  const selfMs = new Map<string, { origin: string; ms: number }>();
  for (const file of files) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const pid = Number(file.split('.')[3]);
    const startedAt = spawned.get(pid);
    if (startedAt === undefined) continue;
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    let ts = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      ts += delta;
      // The profiler starts with the process: map its microseconds onto the wall clock.
      const wall = startedAt + (ts - profile.startTime) / 1000;
      const frame = nodes.get(id);
      if (wall < from || wall > to || !frame || frame.functionName === '(idle)') return;
      const fn = frame.functionName || '(anonymous)';
      const key = `${fn} ${frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : 'native'}`;
      const entry = selfMs.get(key) ?? { origin: originOf(frame.url, frame.functionName), ms: 0 };
      entry.ms += (profile.timeDeltas[i + 1] ?? delta) / 1000;
      selfMs.set(key, entry);
    });
  }
  const byOrigin = new Map<string, number>();
  for (const { origin, ms } of selfMs.values())
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
  return {
    sampledMs: [...selfMs.values()].reduce((sum, e) => sum + e.ms, 0),
    byOrigin,
    byFunction: new Map([...selfMs].map(([name, e]) => [name, e.ms])),
  };
}

/** A summary's origins and top 12 functions as shares and µs per request, largest first. */
export function perRequest(
  summary: ProfileSummary,
  requests: number,
): { byOrigin: ProfileEntry[]; topFunctions: ProfileEntry[] } {
  const entry = ([name, ms]: [string, number]): ProfileEntry => ({
    name,
    share: ms / summary.sampledMs,
    microsPerRequest: (ms * 1000) / Math.max(1, requests),
  });
  const sorted = (map: ReadonlyMap<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    byOrigin: sorted(summary.byOrigin).map(entry),
    topFunctions: sorted(summary.byFunction).slice(0, 12).map(entry),
  };
}

/** @private The package or runtime part a script belongs to. */
function originOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(program)') return 'V8 / native (program)';
    return 'native (I/O, V8 builtins)';
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const workspace = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (workspace) return `@baton/${workspace[2]}`;
  if (url.includes('/bench/')) return 'bench cart app';
  if (url.startsWith('node:')) return 'Node.js core (JS)';
  return url;
}

/** @private A path short enough for a table: from node_modules/… or the workspace folder on. */
function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const workspace = /\/((packages|apps|bench)\/.+)$/.exec(url);
  return workspace?.[1] ?? url.replace(/^file:\/\//, '');
}
