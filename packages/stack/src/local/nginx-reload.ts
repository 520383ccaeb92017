import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { childrenOf, readStat } from '@baton/process-supervisor';
import { StackError } from '../errors.js';
import { lastLogLine } from './log-tail.js';
import { nginxArgs } from './nginx-config.js';
import type { StackPaths } from './paths.js';
import { signalProcess } from './process-control.js';
import type { ProcessRecord } from './state-store.js';

/**
 * How long the old workers may take to finish after a reload: nginx.conf's
 * worker_shutdown_timeout (5 s) closes whatever they still hold, plus a margin.
 */
const OLD_WORKERS_EXIT_MS = 8_000;

/**
 * Makes the running nginx (`master`) serve the configuration on disk, without dropping a request:
 * checks it with `nginx -t` first (a broken file would leave nginx on the old one, silently),
 * sends SIGHUP (what `nginx -s reload` sends), and resolves once the new workers run and every
 * old worker has exited. Old workers stop accepting at once but finish their requests; waiting
 * for them means no worker with the old upstream list is left, so a replica taken out of the
 * file gets no further request, and its address may be reused by anything.
 */
export async function reloadNginx(
  master: ProcessRecord,
  binary: string,
  paths: StackPaths,
): Promise<void> {
  await testConfig(binary, paths);
  const before = workersOf(master.pid);
  if (!signalProcess(master, 'SIGHUP')) return; // not running: the next start reads the file
  const deadline = Date.now() + OLD_WORKERS_EXIT_MS;
  for (;;) {
    const now = workersOf(master.pid);
    const fresh = now.some((pid) => !before.includes(pid));
    const stale = now.filter((pid) => before.includes(pid));
    if (fresh && stale.length === 0) return;
    if (Date.now() > deadline) {
      throw new StackError(
        'STACK_NOT_READY',
        `nginx did not finish its reload within ${OLD_WORKERS_EXIT_MS / 1000} s (old workers ${stale.join(', ') || 'none'}, new ${fresh ? 'started' : 'missing'}); see ${paths.log('nginx')}`,
      );
    }
    await sleep(50);
  }
}

/** `nginx -t` on the stack's files; throws STACK_COMMAND_FAILED with its last line. @private */
async function testConfig(binary: string, paths: StackPaths): Promise<void> {
  // Output to the nginx log file, not a pipe: the template's access_log /dev/stdout must open.
  const log = await open(paths.log('nginx'), 'a');
  try {
    const child = spawn(binary, ['-t', '-q', ...nginxArgs(paths.nginxDir, paths.nginxConfig)], {
      stdio: ['ignore', log.fd, log.fd],
    });
    const [code] = (await once(child, 'close')) as [number | null];
    if (code !== 0) {
      throw new StackError(
        'STACK_COMMAND_FAILED',
        `nginx -t rejected the regenerated ${paths.nginxConfig}: ${lastLogLine(paths.log('nginx')) || `exit ${code}`}`,
      );
    }
  } finally {
    await log.close();
  }
}

/** The live children of `master`: its workers (the template uses no cache manager). @private */
function workersOf(master: number): number[] {
  return childrenOf(master).filter((pid) => {
    const state = readStat(pid)?.state;
    return state !== undefined && state !== 'Z';
  });
}
