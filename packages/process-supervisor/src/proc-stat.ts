import { readFileSync, readdirSync } from 'node:fs';

/** The fields of `/proc/<pid>/stat` that tell one process from another and find its group. */
export interface ProcStat {
  /** `R`, `S`, `Z` (zombie), `X` (dead), … */
  readonly state: string;
  readonly pgid: number;
  /** Field 22: ticks since boot when it started. Same PID + same value = same process. */
  readonly startTime: string;
}

/** `/proc/<pid>/stat` of a live (or zombie) process; null once it is gone. Linux only. */
export function readStat(pid: number): ProcStat | null {
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

/** Every PID in `/proc`. */
export function processIds(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** Direct children of `pid`, from /proc/<pid>/task/<pid>/children (Linux ≥ 3.5). */
export function childrenOf(pid: number): number[] {
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
