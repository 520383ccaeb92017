import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Finds an executable in PATH, then in the sbin directories a non-root PATH often lacks. */
export function findExecutable(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error(`${name} not found — run ./scripts/setup.sh`);
}
