import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CART_REPLICA_MAIN, type CartBackendName, ProcessSupervisor } from '@baton/bench';
import { ValkeyProcess } from '@baton/valkey-testing';
import {
  type Balancing,
  type ReplicaPair,
  cartServiceMain,
  startReplicaPair,
} from './replica-pair.js';

/** What a lab's body gets: where to put files, who starts processes, the one Valkey. */
export interface LabContext {
  readonly dir: string;
  readonly supervisor: ProcessSupervisor;
  readonly valkey: ValkeyProcess;
  /** A line of output, prefixed with the lab's name. */
  log(line: string): void;
}

/**
 * Runs one lab and exits: 0 when `body` says the demonstration held (the failure showed where it
 * should and not where it should not), 1 when it did not, 2 when the lab could not run. Whatever
 * happens (also SIGTERM from the docs test's timeout, or Ctrl+C) every process it started is
 * stopped by its PID, and its temporary directory is deleted (kept, and named, when the lab could
 * not run: it holds the processes' logs).
 */
export async function runLab(name: string, body: (lab: LabContext) => Promise<boolean>) {
  const dir = mkdtempSync(join(tmpdir(), `baton-lab-${name}-`));
  const supervisor = new ProcessSupervisor();
  let valkey: ValkeyProcess | undefined;
  let keepDir = false;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await supervisor.stopAll();
      await valkey?.dispose();
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
      if (valkey?.pid) process.kill(valkey.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  let exitCode: number;
  try {
    valkey = await ValkeyProcess.start();
    const log = (line: string) => console.log(`${name}: ${line}`);
    exitCode = (await body({ dir, supervisor, valkey, log })) ? 0 : 1;
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

/** The side a lab shows the failure on: one of the bench's cart replicas, the usual Node stack. */
export interface UsualSide {
  /** Names it in process names, directories and errors (`baseline`, `node-local`). */
  readonly label: string;
  /** Which of the bench's cart backends it runs (`baseline`, `memory`). */
  readonly variant: CartBackendName;
}

/**
 * Starts, at once, the two replica pairs a lab compares on the lab's one Valkey, each behind its
 * own nginx balancing the same way: the usual side, and Baton (apps/cart-service).
 */
export async function startUsualAndBaton(
  lab: LabContext,
  usual: UsualSide,
  balancing: Balancing,
): Promise<[usual: ReplicaPair, baton: ReplicaPair]> {
  return Promise.all([
    startReplicaPair({
      supervisor: lab.supervisor,
      dir: join(lab.dir, usual.label),
      label: usual.label,
      main: CART_REPLICA_MAIN,
      env: {
        BENCH_VARIANT: usual.variant,
        BENCH_BASELINE_SECRET: randomBytes(24).toString('hex'),
      },
      valkeyUrl: lab.valkey.url,
      balancing,
    }),
    startReplicaPair({
      supervisor: lab.supervisor,
      dir: join(lab.dir, 'baton'),
      label: 'baton',
      main: cartServiceMain(),
      env: {},
      valkeyUrl: lab.valkey.url,
      balancing,
    }),
  ]);
}

/** Renders rows as a plain-text table: columns padded to their widest cell. */
export function table(rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0]!.map((_, col) => Math.max(...cells.map((row) => row[col]?.length ?? 0)));
  return cells
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
