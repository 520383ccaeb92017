import { z } from 'zod';

/**
 * What a link does to the bytes it carries. One fault at a time per link; setting one replaces
 * the previous, and `pass` heals.
 *
 * - `pass`: forward as they come.
 * - `latency`: every chunk the client sends reaches the target `ms` later, so each
 *   request/response exchange takes `ms` longer; order is kept, throughput is not limited.
 * - `stall`: nothing is forwarded in either direction, and connections stay open (no FIN, no RST):
 *   a peer that hangs, or a network that silently drops. New connections are still accepted.
 *   What arrives meanwhile is held (up to a bound, then the sender is paused) and delivered on heal.
 * - `reset`: every open connection is reset (RST) and each new one is reset on accept.
 * - `bandwidth`: both directions are paced to `bytesPerSecond`.
 */
export type Fault =
  | { readonly mode: 'pass' }
  | { readonly mode: 'latency'; readonly ms: number }
  | { readonly mode: 'stall' }
  | { readonly mode: 'reset' }
  | { readonly mode: 'bandwidth'; readonly bytesPerSecond: number };

export type FaultMode = Fault['mode'];

export const PASS: Fault = { mode: 'pass' };

/** The wire form of a fault (the control API's body), checked once where it enters. */
export const faultSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('pass') }).strict(),
  z.object({ mode: z.literal('latency'), ms: z.number().int().min(1).max(60_000) }).strict(),
  z.object({ mode: z.literal('stall') }).strict(),
  z.object({ mode: z.literal('reset') }).strict(),
  z
    .object({
      mode: z.literal('bandwidth'),
      bytesPerSecond: z.number().int().min(1).max(1_000_000_000),
    })
    .strict(),
]) satisfies z.ZodType<Fault>;

/** A one-line description for logs and printed schedules: `latency 200ms`, `stall`. */
export function describeFault(fault: Fault): string {
  switch (fault.mode) {
    case 'latency':
      return `latency ${fault.ms}ms`;
    case 'bandwidth':
      return `bandwidth ${fault.bytesPerSecond}B/s`;
    default:
      return fault.mode;
  }
}
