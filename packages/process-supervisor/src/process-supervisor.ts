import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { childrenOf } from './proc-stat.js';
import { type SpawnRequest, spawnInOwnGroup } from './spawn-in-group.js';

/** How to start one process and how to ask it to stop. */
export interface ProcessSpec extends SpawnRequest {
  readonly name: string;
  /** nginx stops gracefully on SIGQUIT; Node apps and Valkey on SIGTERM. */
  readonly stopSignal: 'SIGTERM' | 'SIGQUIT';
}

export interface RunningProcess {
  readonly spec: ProcessSpec;
  readonly pid: number;
  /** Date.now() right after the spawn. */
  readonly startedAt: number;
  readonly child: ChildProcess;
  exited: boolean;
}

/**
 * Every process one program (a bench run, a lab) starts for as long as it runs, and nothing else:
 * each one is spawned in its own process group (so a Ctrl+C reaches only the program, which then
 * stops them in order), recorded by PID, and stopped by that PID — gracefully first, then SIGKILL
 * to its own group (nginx's workers). `installExitHandlers` makes Ctrl+C, SIGTERM and an uncaught
 * error stop them too. Processes that must outlive the program use `spawnDetached` instead.
 */
export class ProcessSupervisor {
  private readonly running: RunningProcess[] = [];

  async start(spec: ProcessSpec): Promise<RunningProcess> {
    const child = await spawnInOwnGroup(spec);
    const entry: RunningProcess = {
      spec,
      pid: child.pid!,
      startedAt: Date.now(),
      child,
      exited: false,
    };
    child.once('exit', () => {
      entry.exited = true;
    });
    this.running.push(entry);
    return entry;
  }

  /** Stops one process: its stop signal, then SIGKILL to its group after `timeoutMs`. */
  async stop(entry: RunningProcess, timeoutMs = 15_000): Promise<void> {
    if (!entry.exited) {
      signal(entry.pid, entry.spec.stopSignal);
      const deadline = Date.now() + timeoutMs;
      while (!entry.exited && Date.now() < deadline) await sleep(25);
    }
    // The group: nginx workers, or anything an app forked. Only our own group, by its leader's id.
    signal(-entry.pid, 'SIGKILL');
    const index = this.running.indexOf(entry);
    if (index >= 0) this.running.splice(index, 1);
  }

  /**
   * Stops everything still running: the apps together (each drains on its own), then nginx,
   * then Valkey, so no app loses its store while it still answers.
   */
  async stopAll(): Promise<void> {
    const rank = (e: RunningProcess) =>
      e.spec.stopSignal === 'SIGQUIT' ? 1 : e.spec.name === 'valkey' ? 2 : 0;
    for (const tier of [0, 1, 2]) {
      await Promise.all(this.running.filter((e) => rank(e) === tier).map((e) => this.stop(e)));
    }
  }

  /** Synchronous last resort for `process.on('exit')`: SIGKILL every recorded group. */
  killAllNow(): void {
    for (const entry of this.running) signal(-entry.pid, 'SIGKILL');
    this.running.length = 0;
  }

  /**
   * Ctrl+C / SIGTERM / SIGHUP: stop everything in order, run `cleanup`, exit 130; an uncaught
   * error: the same, exit 1; and if the program exits any other way, SIGKILL whatever is left.
   */
  installExitHandlers(onMessage: (line: string) => void, cleanup: () => Promise<void>): void {
    let stopping = false;
    const shutdown = (code: number, why: string) => {
      if (stopping) return;
      stopping = true;
      onMessage(`${why}: stopping every process this program started`);
      void this.stopAll()
        .then(cleanup)
        .finally(() => process.exit(code));
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => shutdown(130, sig));
    }
    process.once('uncaughtException', (err) => {
      console.error(err);
      shutdown(1, 'uncaught error');
    });
    process.once('exit', () => this.killAllNow());
  }

  /** PIDs of a recorded process and its children (nginx's workers), for CPU accounting. */
  pidsOf(entry: RunningProcess): number[] {
    return [entry.pid, ...childrenOf(entry.pid)];
  }
}

/** @private */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
