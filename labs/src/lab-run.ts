import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessSupervisor } from '@baton/process-supervisor';
import { ValkeyProcess } from '@baton/valkey-testing';

/**
 * One failure lab: it triggers a failure the platform exists to prevent, first where it happens
 * and then on Baton, and prints what happened in numbers.
 */
export interface Lab {
  /** What `npm run lab -- <name>` takes (`sticky-kill`). */
  readonly name: string;
  /** One line for the list `npm run lab` prints. */
  readonly summary: string;
  /**
   * True when the demonstration held: the failure showed where it should and not where it should
   * not. A lab that shows nothing proves nothing, so "the failure did not show" is false too.
   */
  run(lab: LabContext): Promise<boolean>;
}

/** What a lab's body gets: where to put files, who starts processes, the one Valkey. */
export interface LabContext {
  /** A temporary directory of the lab's own, deleted afterwards (kept when it could not run). */
  readonly dir: string;
  /** Starts the lab's processes; every one is stopped by its PID when the lab ends. */
  readonly supervisor: ProcessSupervisor;
  /** The lab's one valkey-server on a free port, started on the first call. */
  valkey(): Promise<ValkeyProcess>;
  /** Runs `cleanup` when the lab ends, before its processes are stopped (latest first). */
  defer(cleanup: () => Promise<void>): void;
  /** A line of output, prefixed with the lab's name. */
  log(line: string): void;
}

/**
 * Runs one lab and exits: 0 when it says the demonstration held, 1 when it did not, 2 when the
 * lab could not run. Whatever happens (also SIGTERM from the docs test's timeout, or Ctrl+C) every
 * process it started is stopped by its PID, and its temporary directory is deleted (kept, and
 * named, when the lab could not run: it holds the processes' logs).
 */
export async function runLab(lab: Lab): Promise<void> {
  const { name } = lab;
  const dir = mkdtempSync(join(tmpdir(), `baton-lab-${name}-`));
  const supervisor = new ProcessSupervisor();
  const deferred: (() => Promise<void>)[] = [];
  let valkey: Promise<ValkeyProcess> | undefined;
  let started: ValkeyProcess | undefined;
  let keepDir = false;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const cleanup of deferred.reverse()) {
        await cleanup().catch((err: unknown) => console.error(`${name}: clean-up failed:`, err));
      }
      await supervisor.stopAll();
      await (await valkey?.catch(() => undefined))?.dispose();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    })());
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`${name}: ${signal}, stopping every process the lab started`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  // Last resort on any other way out: SIGKILL by the recorded PIDs.
  process.once('exit', () => {
    supervisor.killAllNow();
    try {
      if (started?.pid) process.kill(started.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  const context: LabContext = {
    dir,
    supervisor,
    valkey: () =>
      (valkey ??= ValkeyProcess.start().then((v) => {
        started = v;
        return v;
      })),
    defer: (cleanup) => void deferred.push(cleanup),
    log: (line) => console.log(`${name}: ${line}`),
  };
  let exitCode: number;
  try {
    exitCode = (await lab.run(context)) ? 0 : 1;
  } catch (err) {
    // Interrupted: the processes failed because the signal handler is stopping them; it exits.
    if (interrupted) return;
    console.error(`${name}: the lab could not run:`, err instanceof Error ? err.message : err);
    console.error(`${name}: the processes' logs are kept in ${dir}`);
    keepDir = true;
    exitCode = 2;
  }
  if (interrupted) return;
  await cleanUp();
  process.exit(exitCode);
}
