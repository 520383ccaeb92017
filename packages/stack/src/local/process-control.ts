import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessRecord } from './state-store.js';

export interface SpawnRequest {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  readonly signature: string;
}

/**
 * Starts a process in its own session and process group (detached), writing to its log file, and
 * lets it outlive this invocation: `up` returns while the stack keeps running. Its group is its
 * own, so a Ctrl+C in the terminal reaches only the CLI, which then stops the stack in order.
 */
export async function spawnDetached(request: SpawnRequest): Promise<ProcessRecord> {
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
    child.unref();
    const pid = child.pid!;
    return { pid, startTime: readStat(pid)?.startTime ?? '', signature: request.signature };
  } finally {
    closeSync(log);
  }
}

/**
 * True when `record` still names the process the stack started: the PID exists, is not a zombie,
 * started at the recorded time and runs the expected command. Anything else is treated as gone,
 * and is never signalled.
 */
export function isRunning(record: ProcessRecord): boolean {
  if (!isAlive(record)) return false;
  try {
    return readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').includes(record.signature);
  } catch {
    return false;
  }
}

/**
 * The recorded process still exists (same PID and start time) and is not a zombie. Weaker than
 * isRunning on purpose: a process that is exiting has already lost its command line, but it is
 * not gone until the kernel says so.
 */
function isAlive(record: ProcessRecord): boolean {
  const stat = readStat(record.pid);
  return (
    stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTime === record.startTime
  );
}

/** Sends `signal` after checking identity; false if the process was already gone. */
export function signalProcess(record: ProcessRecord, signal: NodeJS.Signals): boolean {
  if (!isRunning(record)) return false;
  try {
    process.kill(record.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILLs the process and every member of its process group (nginx's workers would otherwise
 * outlive a killed master and keep its ports). Members must have started after the leader, so a
 * reused group id of someone else's can never match.
 */
export function killGroup(record: ProcessRecord): void {
  const leaderStart = Number(record.startTime);
  const leaderAlive = isRunning(record);
  for (const pid of processIds()) {
    const stat = readStat(pid);
    if (!stat || stat.pgid !== record.pid || stat.state === 'Z') continue;
    if (pid !== record.pid && Number(stat.startTime) < leaderStart) continue;
    if (pid === record.pid && !leaderAlive) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** Polls until the process is gone; true if it went within `timeoutMs`. */
export async function waitForExit(record: ProcessRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(record)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

interface ProcStat {
  readonly state: string;
  readonly pgid: number;
  readonly startTime: string;
}

/** @private */
function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgid: Number(fields[2]), startTime: fields[19] ?? '' };
}

/** @private */
function processIds(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}
