/** How much the bench measures; `--quick` is the CI smoke test, the default is the real run. */
export interface BenchPlan {
  readonly mode: 'full' | 'quick';
  /** Interleaved repeats of every (route, variant) throughput run. */
  readonly repeats: number;
  readonly durationSeconds: number;
  /** Seconds without traffic over which the platform's own background commands are measured. */
  readonly backgroundSeconds: number;
  /** Unrecorded load per route and variant before the first repeat. */
  readonly warmupSeconds: number;
  /** Concurrent keep-alive connections of the load generator. */
  readonly connections: number;
  /** Sessions the throughput requests cycle through. */
  readonly sessions: number;
  readonly lostUpdateConcurrency: number;
  readonly readYourWritesPairs: number;
  /** Sessions of 10 items created through HTTP for the memory figures. */
  readonly memorySessions: number;
  readonly scaleLevels: readonly number[];
  readonly storeSamples: number;
  readonly httpSamples: number;
  /** Seconds of load per variant under the CPU profiler; 0 skips the profile. */
  readonly profileSeconds: number;
}

export const FULL_PLAN: BenchPlan = {
  mode: 'full',
  repeats: 5,
  durationSeconds: 10,
  backgroundSeconds: 5,
  warmupSeconds: 3,
  connections: 32,
  sessions: 200,
  lostUpdateConcurrency: 50,
  readYourWritesPairs: 200,
  memorySessions: 200,
  scaleLevels: [10_000, 100_000, 1_000_000],
  storeSamples: 1_000,
  httpSamples: 300,
  profileSeconds: 5,
};

export const QUICK_PLAN: BenchPlan = {
  mode: 'quick',
  repeats: 1,
  durationSeconds: 2,
  backgroundSeconds: 2,
  warmupSeconds: 1,
  connections: 32,
  sessions: 50,
  lostUpdateConcurrency: 50,
  readYourWritesPairs: 50,
  memorySessions: 50,
  scaleLevels: [1_000, 5_000],
  storeSamples: 200,
  httpSamples: 50,
  profileSeconds: 0,
};
