import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors.js';

export interface Binaries {
  readonly valkeyServer: string;
  readonly nginx: string;
  /** Debian's `prometheus`: optional, the stack runs it when it is installed. */
  readonly prometheus: string | null;
}

/** How to get each binary, for the one line a missing one produces. */
const INSTALL_HINT = {
  'valkey-server': 'apt-get install -t bookworm-backports valkey-server',
  nginx: 'apt-get install nginx',
} as const;

/** Finds valkey-server and nginx, or throws STACK_BINARY_NOT_FOUND saying how to install them. */
export function findBinaries(env: NodeJS.ProcessEnv = process.env): Binaries {
  return {
    valkeyServer: locate('valkey-server', env),
    nginx: locate('nginx', env),
    prometheus: findExecutable('prometheus', env),
  };
}

/** @private */
function locate(name: keyof typeof INSTALL_HINT, env: NodeJS.ProcessEnv): string {
  const found = findExecutable(name, env);
  if (found) return found;
  throw new StackError(
    'STACK_BINARY_NOT_FOUND',
    `${name} not found — run ./scripts/setup.sh (Debian: ${INSTALL_HINT[name]})`,
  );
}

/**
 * Looks in PATH, then in the sbin directories a non-root PATH often lacks (Debian puts nginx in
 * /usr/sbin).
 */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}
