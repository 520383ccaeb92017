import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The last non-empty line of a log file (at most 300 characters), so a start failure can show
 * why in the one line it prints; '' when there is none.
 */
export function lastLogLine(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim());
    return (lines.filter(Boolean).pop() ?? '').slice(0, 300);
  } finally {
    closeSync(fd);
  }
}
