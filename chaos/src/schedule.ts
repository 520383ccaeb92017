import { describeFault, type Fault } from '@baton/fault-proxy';
import type { SeededRandom } from './seeded-random.js';

/** One fault of the soak. Replica faults name a replica; proxy faults a fault-proxy link. */
export type ChaosFault =
  | { readonly kind: 'sigkill'; readonly target: string }
  | { readonly kind: 'sigterm'; readonly target: string }
  | { readonly kind: 'valkey-restart' }
  | { readonly kind: 'sentinel-failover' }
  | { readonly kind: 'proxy'; readonly link: string; readonly fault: Fault };

export interface ScheduledFault {
  /** ms after the soak started. */
  readonly atMs: number;
  /** How long it lasts before it is healed (a killed replica started, a link set to pass). */
  readonly holdMs: number;
  readonly fault: ChaosFault;
}

export interface ScheduleInput {
  readonly durationMs: number;
  readonly replicas: readonly string[];
  /** The fault proxy's links (`nginx>cart-1`, `cart-1>valkey`). */
  readonly links: readonly string[];
  readonly sentinel: boolean;
}

/** Quiet time at the start (clients sign in) and at the end (everything healed before the final reads). */
const LEAD_IN_MS = 3_000;
const LEAD_OUT_MS = 5_000;

/**
 * A seeded schedule: one fault at a time (so every service keeps a replica that is not being hit),
 * held 1.5-4 s, then 1.5-4 s of calm. A failover at most once: after it, the old primary comes back
 * as a replica and the stack's `valkey` is no longer the one to kill.
 */
export function planSchedule(random: SeededRandom, input: ScheduleInput): ScheduledFault[] {
  const valkeyLinks = input.links.filter((link) => link.endsWith('>valkey'));
  const kinds = ['sigkill', 'sigterm', 'valkey-restart', 'latency', 'stall', 'reset', 'bandwidth'];
  if (input.sentinel) kinds.push('sentinel-failover');
  const schedule: ScheduledFault[] = [];
  let failedOver = false;
  for (let at = LEAD_IN_MS; at < input.durationMs - LEAD_OUT_MS;) {
    const holdMs = random.int(1_500, 4_000);
    let kind = random.pick(kinds);
    if (kind === 'sentinel-failover' && failedOver) kind = 'sigkill';
    const fault = faultOf(kind, random, input, valkeyLinks);
    if (fault.kind === 'sentinel-failover') failedOver = true;
    schedule.push({ atMs: at, holdMs, fault });
    at += holdMs + random.int(1_500, 4_000);
  }
  return schedule;
}

/** `+12.3s sigkill cart-2 for 2.1s`: how the soak prints its schedule. */
export function describeScheduled({ atMs, holdMs, fault }: ScheduledFault): string {
  const what =
    fault.kind === 'proxy'
      ? `${describeFault(fault.fault)} on ${fault.link}`
      : fault.kind === 'sigkill' || fault.kind === 'sigterm'
        ? `${fault.kind} ${fault.target}`
        : fault.kind;
  return `+${(atMs / 1000).toFixed(1)}s ${what} for ${(holdMs / 1000).toFixed(1)}s`;
}

/** @private */
function faultOf(
  kind: string,
  random: SeededRandom,
  input: ScheduleInput,
  valkeyLinks: readonly string[],
): ChaosFault {
  const link = () => random.pick(input.links);
  switch (kind) {
    case 'sigkill':
    case 'sigterm':
      return { kind, target: random.pick(input.replicas) };
    case 'valkey-restart':
    case 'sentinel-failover':
      return { kind };
    case 'latency':
      // Valkey slower (one replica's link or all of them would be the same kind of test: one).
      return {
        kind: 'proxy',
        link: valkeyLinks.length ? random.pick(valkeyLinks) : link(),
        fault: { mode: 'latency', ms: 200 },
      };
    case 'stall':
      return { kind: 'proxy', link: link(), fault: { mode: 'stall' } };
    case 'reset':
      return { kind: 'proxy', link: link(), fault: { mode: 'reset' } };
    default:
      return { kind: 'proxy', link: link(), fault: { mode: 'bandwidth', bytesPerSecond: 20_000 } };
  }
}
