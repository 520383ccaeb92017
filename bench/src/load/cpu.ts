import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (100 on every usual Linux). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used so far, in ms; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: count fields after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU ms per named group of PIDs, plus this process (the load generator) under `self`. */
export type CpuSnapshot = Record<string, number>;

export function snapshotCpu(groups: Record<string, readonly number[]>): CpuSnapshot {
  const snapshot: CpuSnapshot = {};
  for (const [name, pids] of Object.entries(groups)) {
    snapshot[name] = pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  }
  const self = process.cpuUsage();
  snapshot.self = (self.user + self.system) / 1000;
  return snapshot;
}

export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const delta: CpuSnapshot = {};
  for (const name of Object.keys(after)) delta[name] = (after[name] ?? 0) - (before[name] ?? 0);
  return delta;
}

/** CPU time (ms, all cores) the whole machine has spent busy so far, from /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, ...fields] = line.trim().split(/\s+/);
  const ticks = fields.map(Number);
  // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return ((total - idle) * 1000) / CLOCK_TICKS;
}
