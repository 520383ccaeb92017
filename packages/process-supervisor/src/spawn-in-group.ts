import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

/** How to start one process: what to run, where, and where its output goes. */
export interface SpawnRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** stdout and stderr are appended here, after a `--- <date> <command line>` line. */
  readonly logFile: string;
}

/**
 * Starts a process in its own session and process group, writing to its log file, and resolves
 * once it has spawned (rejects when it could not, e.g. no such program). Its group is its own, so
 * a Ctrl+C in the terminal reaches only the parent, which then stops its processes in order, and
 * a SIGKILL to the group reaches whatever it forked (nginx's workers).
 */
export async function spawnInOwnGroup(request: SpawnRequest): Promise<ChildProcess> {
  const log = openSync(request.logFile, 'a');
  try {
    const line = `--- ${new Date().toISOString()} ${request.command} ${request.args.join(' ')}\n`;
    writeSync(log, line);
    const child = spawn(request.command, request.args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return child;
  } finally {
    closeSync(log);
  }
}
