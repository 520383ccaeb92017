import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError } from '../errors.js';
import type { StackPaths } from './paths.js';

const run = promisify(execFile);

/** A cold build of one app and its packages on 2 cores; a cached one takes a second. */
const BUILD_TIMEOUT_MS = 300_000;

/**
 * The local half of "build the new version": `turbo run build` for the app's workspace and what
 * it depends on, into the same dist/ the replicas run from. Running replicas are unaffected (Node
 * loaded their modules at start); each replica started afterwards runs the new build. turbo's
 * cache makes an unchanged tree a no-op.
 */
export async function buildApp(paths: StackPaths, workspace: string): Promise<void> {
  const turbo = path.join(paths.root, 'node_modules', '.bin', 'turbo');
  // The filter names the app alone: turbo.json's `^build` builds what it depends on first.
  const args = ['run', 'build', `--filter=@baton/${workspace}`, '--output-logs=errors-only'];
  try {
    await run(turbo, args, { cwd: paths.root, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 << 20 });
  } catch (cause) {
    const output = (cause as { stdout?: string; stderr?: string }).stderr?.trim().split('\n');
    throw new StackError(
      'STACK_COMMAND_FAILED',
      `building ${workspace} failed (turbo ${args.join(' ')}): ${output?.at(-1) ?? String(cause)}`,
      { cause },
    );
  }
}
