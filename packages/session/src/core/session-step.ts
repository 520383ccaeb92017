import type { SessionObserver, SessionStep } from './options.js';

/**
 * Measures one {@link SessionStep} and hands it to the observer once. Made only when the
 * observer has `onSessionStep` (tracing on), so without tracing nothing of this runs.
 */
export class StepTimer {
  roundTrips = 0;
  conflicts = 0;
  retries = 0;
  private readonly startedAt = Date.now();
  private readonly started = performance.now();

  constructor(
    private readonly name: SessionStep['name'],
    private readonly observer: SessionObserver,
  ) {}

  done(end: { bytes: number; outcome: SessionStep['outcome'] }): void {
    this.observer.onSessionStep?.({
      name: this.name,
      startedAt: this.startedAt,
      durationMs: performance.now() - this.started,
      roundTrips: this.roundTrips,
      bytes: end.bytes,
      conflicts: this.conflicts,
      retries: this.retries,
      outcome: end.outcome,
    });
  }
}
