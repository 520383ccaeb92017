import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { processIds, readStat } from './proc-stat.js';
import { type SpawnRequest, spawnInOwnGroup } from './spawn-in-group.js';

/**
 * What identifies a process that outlived the invocation that started it (the local stack's
 * `up` returns while its processes keep running): a later invocation signals it only when all
 * three still match, so a PID the kernel has reused for something else is never touched.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: ticks since boot when it started. */
  readonly startTime: string;
  /** A string its /proc/<pid>/cmdline must contain. */
  readonly signature: string;
}

export interface DetachedSpawnRequest extends SpawnRequest {
  /** Becomes {@link ProcessIdentity.signature}: a string of its command line. */
  readonly signature: string;
}

/** Starts a process in its own group (see {@link spawnInOwnGroup}) that may outlive this one. */
export async function spawnDetached(request: DetachedSpawnRequest): Promise<ProcessIdentity> {
  const child = await spawnInOwnGroup(request);
  child.unref();
  const pid = child.pid!;
  return { pid, startTime: readStat(pid)?.startTime ?? '', signature: request.signature };
}

/**
 * True when `record` still names the process that was started: the PID exists, is not a zombie,
 * started at the recorded time and runs the expected command. Anything else is treated as gone,
 * and is never signalled.
 */
export function isRunning(record: ProcessIdentity): boolean {
  if (!isAlive(record)) return false;
  try {
    return readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').includes(record.signature);
  } catch {
    return false;
  }
}

/** Sends `signal` after checking identity; false if the process was already gone. */
export function signalProcess(record: ProcessIdentity, signal: NodeJS.Signals): boolean {
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
export function killGroup(record: ProcessIdentity): void {
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
export async function waitForExit(record: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(record)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * @private The recorded process still exists (same PID and start time) and is not a zombie.
 * Weaker than isRunning on purpose: a process that is exiting has already lost its command line,
 * but it is not gone until the kernel says so.
 */
function isAlive(record: ProcessIdentity): boolean {
  const stat = readStat(record.pid);
  return (
    stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTime === record.startTime
  );
}
