import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@baton/stack';
import { findExecutable } from './binaries.js';
import { valkeyPong, waitReady } from './probes.js';
import type { ProcessSupervisor, RunningProcess } from '@baton/process-supervisor';

export interface ValkeyServer {
  readonly port: number;
  readonly url: string;
  readonly process: RunningProcess;
  readonly logFile: string;
}

/**
 * The project's own Valkey configuration (`infra/valkey/valkey.conf`: AOF everysec, keyspace
 * events, noeviction), with only what a bench must change on the command line: a free port on
 * 127.0.0.1, a data directory under the bench's temporary directory, and `maxmemory 0` instead
 * of the file's 256mb, since a million preloaded sessions need more than that.
 */
export async function startValkey(
  supervisor: ProcessSupervisor,
  root: string,
  dir: string,
): Promise<ValkeyServer> {
  const port = await freePort();
  const dataDir = path.join(dir, 'valkey');
  await mkdir(dataDir, { recursive: true });
  const logFile = path.join(dir, 'valkey.log');
  const args = [
    path.join(root, 'infra', 'valkey', 'valkey.conf'),
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir],
    ...['--daemonize', 'no', '--maxmemory', '0'],
  ];
  const proc = await supervisor.start({
    name: 'valkey',
    command: findExecutable('valkey-server'),
    args,
    env: { PATH: process.env.PATH ?? '' },
    cwd: dir,
    logFile,
    stopSignal: 'SIGTERM',
  });
  await waitReady('valkey', valkeyPong(port), () => proc.exited, logFile);
  return { port, url: `redis://127.0.0.1:${port}`, process: proc, logFile };
}

/** The command line the report quotes: the same arguments, with the temporary paths shortened. */
export const VALKEY_OVERRIDES =
  'infra/valkey/valkey.conf --port <free> --bind 127.0.0.1 --dir <tmp>/valkey --daemonize no --maxmemory 0';
