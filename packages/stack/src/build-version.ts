import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { StackError } from './errors.js';

const run = promisify(execFile);

/** What service-kit's BUILD_VERSION accepts: 1-64 of letters, digits and `_ . + -`. */
const VERSION_PATTERN = /^[\w.+-]{1,64}$/;

/** Throws STACK_OPTIONS_INVALID unless `version` is one the apps accept as BUILD_VERSION. */
export function assertBuildVersion(version: string): string {
  if (VERSION_PATTERN.test(version)) return version;
  throw new StackError(
    'STACK_OPTIONS_INVALID',
    `version must be 1-64 of letters, digits and _ . + -, not "${version}"`,
  );
}

/**
 * The version `deploy` gives new replicas when none is named: `BUILD_VERSION` from the
 * environment, else the checkout's short commit (`-dirty` when the tree has changes), else `dev`
 * (no git, or not a checkout).
 */
export async function defaultBuildVersion(root: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.BUILD_VERSION) return assertBuildVersion(env.BUILD_VERSION);
  try {
    const git = (...args: string[]) => run('git', ['-C', root, ...args], { timeout: 10_000 });
    const { stdout: commit } = await git('rev-parse', '--short', 'HEAD');
    const { stdout: changes } = await git('status', '--porcelain');
    return `${commit.trim()}${changes.trim() ? '-dirty' : ''}`;
  } catch {
    return 'dev';
  }
}
