import cliProgress from 'cli-progress';

/**
 * Progress on stderr: a bar over the run's steps with the current one named (and, during a load
 * run, its seconds and responses so far). Where stderr is not a terminal (CI), one plain line
 * per step instead.
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private done = 0;

  constructor(private readonly total: number) {
    if (process.stderr.isTTY) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: '{bar} {value}/{total} | {duration_formatted} | {step}',
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { step: 'starting' });
    }
  }

  /** Starts the next step. */
  step(label: string): void {
    this.done = Math.min(this.total, this.done + 1);
    if (this.bar) this.bar.update(this.done - 1, { step: label });
    else process.stderr.write(`[${this.done}/${this.total}] ${label}\n`);
  }

  /** Detail within the current step (shown on the bar only). */
  detail(label: string): void {
    this.bar?.update({ step: label });
  }

  /** A line that must stay visible. */
  log(line: string): void {
    if (this.bar) this.bar.update({ step: line });
    else process.stderr.write(`${line}\n`);
  }

  stop(): void {
    if (this.bar) {
      this.bar.update(this.total);
      this.bar.stop();
    }
  }
}
