import type { GatewayBenchResults } from './gateway/gateway-bench.js';
import type { BenchPlan } from './plan.js';
import type { MachineInfo } from './report/machine.js';
import type { LostUpdateResult, ReadYourWritesResult } from './scenarios/consistency.js';
import type { MemoryResult } from './scenarios/memory.js';
import type { CartProfile } from './scenarios/profile.js';
import type { RoundTripResult } from './scenarios/round-trips.js';
import type { ScaleResult } from './scenarios/scale.js';
import type { ThroughputRun } from './scenarios/throughput.js';

/** Everything one invocation measured; the report and the chart are rendered from this alone. */
export interface BenchResults {
  readonly plan: BenchPlan;
  readonly machine: MachineInfo;
  readonly command: string;
  readonly startedAt: string;
  readonly durationSeconds: number;
  /** 1-, 5- and 15-minute load averages before the stacks started and after they stopped. */
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly valkeyCommandLine: string;
  readonly roundTrips: RoundTripResult[];
  readonly throughput: ThroughputRun[];
  readonly lostUpdates: LostUpdateResult[];
  /** Concurrent writes of different keys to one session (absent in reports from before it). */
  readonly lostKeyUpdates?: LostUpdateResult[];
  readonly readYourWrites: ReadYourWritesResult[];
  readonly memory: MemoryResult[];
  readonly scale: ScaleResult[];
  readonly profiles: CartProfile[];
  /** Both gateways of the cart-service variant under the profiler (absent in older results). */
  readonly gatewayProfile?: CartProfile;
  /** The gateway alone beside the bare-proxy floor, after the stacks stopped (absent in older results). */
  readonly gateway?: GatewayBenchResults;
  /** What went wrong (a phase that failed, non-2xx answers): any entry makes the exit code 1. */
  readonly problems: string[];
}
