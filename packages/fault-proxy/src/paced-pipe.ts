import type { Socket } from 'node:net';
import type { Fault } from './fault.js';

/** Above this many held bytes the source socket is paused, so a stall never buffers without end. */
export const HELD_BYTES_HIGH_WATER = 1024 * 1024;

/** Slices of a paced (bandwidth) chunk, so a big write trickles instead of arriving in one go. */
const BANDWIDTH_SLICE_BYTES = 1024;

/** A chunk waiting to be written, or the end of the stream (the source sent FIN). */
interface Pending {
  readonly chunk: Buffer | null;
  /** When it may be written (ms since the epoch); Infinity while stalled. */
  dueAt: number;
}

/**
 * One direction of a proxied connection: bytes read from `source` are written to `target` when
 * the link's fault lets them, in order. Every fault is a due time per chunk (`latency`: arrival
 * plus ms; `bandwidth`: after the previous chunk at the rate; `stall`: never, until healed), so
 * one queue and one timer do all of them, and a change of fault applies to what is still queued.
 */
export class PacedPipe {
  readonly #queue: Pending[] = [];
  #heldBytes = 0;
  #forwardedBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #waitingForDrain = false;
  #closed = false;

  constructor(
    private readonly source: Socket,
    private readonly target: Socket,
    private readonly fault: () => Fault,
    /** Whether this direction carries client → target bytes (latency applies to those). */
    private readonly towardTarget: boolean,
  ) {
    source.on('data', (chunk: Buffer) => this.#push(chunk));
    source.on('end', () => this.#enqueue(null, this.#dueAt(0)));
    target.on('drain', () => {
      this.#waitingForDrain = false;
      this.#pump();
    });
  }

  /** Bytes read and not yet written. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  get forwardedBytes(): number {
    return this.#forwardedBytes;
  }

  /** The link's fault changed: what was held for a stall is due now; the rest keeps its time. */
  faultChanged(): void {
    if (this.fault().mode === 'stall') return;
    const now = Date.now();
    for (const pending of this.#queue) if (pending.dueAt === Infinity) pending.dueAt = now;
    this.#pump();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }

  /** @private */
  #push(chunk: Buffer): void {
    const fault = this.fault();
    if (fault.mode !== 'bandwidth') {
      this.#enqueue(chunk, this.#dueAt(chunk.length));
      return;
    }
    for (let offset = 0; offset < chunk.length; offset += BANDWIDTH_SLICE_BYTES) {
      const slice = chunk.subarray(offset, offset + BANDWIDTH_SLICE_BYTES);
      this.#enqueue(slice, this.#dueAt(slice.length));
    }
  }

  /** When a chunk of `length` bytes that arrives now may leave, never before the one ahead. @private */
  #dueAt(length: number): number {
    const fault = this.fault();
    const now = Date.now();
    const previous = this.#queue.at(-1)?.dueAt ?? now;
    switch (fault.mode) {
      case 'stall':
        return Infinity;
      case 'latency':
        return Math.max(previous, this.towardTarget ? now + fault.ms : now);
      case 'bandwidth':
        return Math.max(previous, now) + (length * 1000) / fault.bytesPerSecond;
      default:
        return Math.max(previous, now);
    }
  }

  /** @private */
  #enqueue(chunk: Buffer | null, dueAt: number): void {
    if (this.#closed) return;
    this.#queue.push({ chunk, dueAt });
    this.#heldBytes += chunk?.length ?? 0;
    // Backpressure: a stalled or slow link holds at most about the high-water mark per direction.
    if (this.#heldBytes > HELD_BYTES_HIGH_WATER) this.source.pause();
    this.#pump();
  }

  /** Writes every chunk that is due, then sleeps until the next one is. @private */
  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed || this.#waitingForDrain) return;
    const now = Date.now();
    while (this.#queue.length > 0 && this.#queue[0]!.dueAt <= now) {
      const { chunk } = this.#queue.shift()!;
      if (chunk === null) {
        this.target.end();
        return;
      }
      this.#heldBytes -= chunk.length;
      this.#forwardedBytes += chunk.length;
      if (this.#heldBytes <= HELD_BYTES_HIGH_WATER / 2) this.source.resume();
      if (!this.target.write(chunk)) {
        this.#waitingForDrain = true;
        return;
      }
    }
    const next = this.#queue[0];
    if (next && next.dueAt !== Infinity) {
      this.#timer = setTimeout(() => this.#pump(), Math.max(0, Math.ceil(next.dueAt - now)));
    }
  }
}
