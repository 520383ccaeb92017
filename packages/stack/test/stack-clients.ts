// How the topology tests talk to a running stack: as a browser through the edge, and as the
// Valkey admin through valkey-cli.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VALKEY_ADMIN_USER } from '../src/local/valkey-credentials.js';

const run = promisify(execFile);

/** A browser's cookie jar of one cookie: the session's. */
export interface CookieJar {
  cookie?: string;
}

/** One request through the edge with `jar`'s cookie; a SESSION cookie it sets replaces the jar's. */
export type EdgeSend = (
  jar: CookieJar,
  method: string,
  path: string,
  json?: unknown,
) => Promise<Response>;

/** Requests to the edge at `edgeUrl`, each given up after `timeoutMs`. */
export function edgeSender(edgeUrl: string, timeoutMs: number): EdgeSend {
  return async (jar, method, path, json) => {
    const res = await fetch(`${edgeUrl}${path}`, {
      method,
      headers: {
        ...(jar.cookie ? { cookie: jar.cookie } : {}),
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const set = res.headers.get('set-cookie');
    if (set?.startsWith('SESSION=')) jar.cookie = set.split(';')[0];
    return res;
  };
}

/** `valkey-cli -p <port> <args>` as the stack's admin user; resolves its trimmed output. */
export async function adminCli(port: number, ...args: string[]): Promise<string> {
  const auth = ['--user', VALKEY_ADMIN_USER.username, '--pass', VALKEY_ADMIN_USER.password];
  const { stdout } = await run('valkey-cli', [
    '-p',
    String(port),
    ...auth,
    '--no-auth-warning',
    ...args,
  ]);
  return stdout.trim();
}
