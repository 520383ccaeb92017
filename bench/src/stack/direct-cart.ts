import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@baton/stack';
import { httpOk, waitReady } from './probes.js';
import type { ProcessSupervisor } from '@baton/process-supervisor';

export interface DirectCartOptions {
  /** The temporary directory its log goes to. */
  readonly dir: string;
  readonly valkeyUrl: string;
  /** The side bench it belongs to (`near-cache`): the prefix of its process name. */
  readonly bench: string;
  /** Its INSTANCE_ID and log file name (`on-1`). */
  readonly name: string;
  /** The session settings under test (`SESSION_NEAR_CACHE`, …). */
  readonly env: Readonly<Record<string, string>>;
}

export interface DirectCart {
  readonly url: string;
  readonly pid: number;
}

/**
 * One of Baton's cart replicas (`variants/main.ts`, BENCH_VARIANT=baton) on a free port, with
 * no nginx or gateway in front: the side benches load it directly, so their figures are the
 * session layer's. Resolves once /readyz answers.
 */
export async function startDirectCart(
  supervisor: ProcessSupervisor,
  options: DirectCartOptions,
): Promise<DirectCart> {
  const { dir, name } = options;
  const port = await freePort();
  const logFile = path.join(dir, `${name}.log`);
  const processName = `${options.bench}/${name}`;
  const proc = await supervisor.start({
    name: processName,
    command: process.execPath,
    args: [fileURLToPath(new URL('../variants/main.js', import.meta.url))],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      BENCH_VARIANT: 'baton',
      INSTANCE_ID: name,
      HOST: '127.0.0.1',
      PORT: String(port),
      VALKEY_URL: options.valkeyUrl,
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...options.env,
    },
    cwd: dir,
    logFile,
    stopSignal: 'SIGTERM',
  });
  await waitReady(processName, httpOk(port, '/readyz'), () => proc.exited, logFile);
  return { url: `http://127.0.0.1:${port}`, pid: proc.pid };
}
