import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to start one process and how to ask it to stop. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** stdout and stderr go here. */
  readonly logFile: string;
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
 * Every process the bench starts, and nothing else: each one is spawned in its own process group
 * (so a Ctrl+C reaches only the bench, which then stops them in order), recorded by PID, and
 * stopped by that PID — gracefully first, then SIGKILL to its own group (nginx's workers).
 * `installExitHandlers` makes Ctrl+C, SIGTERM and an uncaught error stop them too.
 */
export class ProcessSupervisor {
  private readonly running: RunningProcess[] = [];

  async start(spec: ProcessSpec): Promise<RunningProcess> {
    const log = openSync(spec.logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', log, log],
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
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
    } finally {
      closeSync(log);
    }
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
   * error: the same, exit 1; and if the bench exits any other way, SIGKILL whatever is left.
   */
  installExitHandlers(onMessage: (line: string) => void, cleanup: () => Promise<void>): void {
    let stopping = false;
    const shutdown = (code: number, why: string) => {
      if (stopping) return;
      stopping = true;
      onMessage(`${why}: stopping every process the bench started`);
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

/** @private Direct children of `pid`, from /proc/<pid>/task/<pid>/children (Linux ≥ 3.5). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
