import { spawn } from 'node:child_process';
import path from 'node:path';
import { StackError } from '../errors.js';
import { findExecutable } from '../local/binaries.js';

export interface ComposeCommandOptions {
  readonly root: string;
  /** `docker compose -p`. */
  readonly project: string;
  /** Compose files relative to `root`. */
  readonly files: readonly string[];
  /** Added to the caller's environment: compose.yaml interpolates EDGE_PORT, LOG_LEVEL, ... */
  readonly env: Readonly<Record<string, string>>;
  /** Receives each line compose writes to stderr (its progress output). */
  readonly onProgress: (line: string) => void;
}

/**
 * Runs `docker compose <args>` against the repository's compose files (project directory: the
 * repository root) and resolves with its stdout.
 */
export function dockerCompose(
  args: readonly string[],
  options: ComposeCommandOptions,
): Promise<string> {
  const files = options.files.flatMap((file) => ['-f', path.resolve(options.root, file)]);
  return docker(
    ['compose', '--project-directory', options.root, '-p', options.project, ...files, ...args],
    options,
  );
}

/**
 * Runs `docker <args>` (the engine's own CLI, for what compose has no verb for: one container of
 * a scaled service) and resolves with its stdout; a non-zero exit is STACK_COMMAND_FAILED with
 * the last line it wrote to stderr.
 */
export async function docker(
  args: readonly string[],
  options: Pick<ComposeCommandOptions, 'root' | 'env' | 'onProgress'>,
): Promise<string> {
  const binary = findExecutable('docker');
  if (!binary) throw notFound('docker');
  const child = spawn(binary, args, {
    cwd: options.root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let lastError = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter((text) => text.trim())) {
      lastError = line.trim();
      options.onProgress(lastError);
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (pending.trim()) lastError = pending.trim();
  if (code !== 0) {
    throw new StackError(
      'STACK_COMMAND_FAILED',
      `docker ${args.join(' ')} failed (exit ${String(code)})${lastError ? `: ${lastError}` : ''}`,
    );
  }
  return stdout;
}

/**
 * Throws STACK_BINARY_NOT_FOUND unless `docker compose` (the v2 plugin) answers: the legacy
 * docker-compose 1.x has neither `up --wait` nor `ps --format json`.
 */
export async function assertComposeAvailable(root: string): Promise<void> {
  const docker = findExecutable('docker');
  if (!docker) throw notFound('docker');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(docker, ['compose', 'version'], { cwd: root, stdio: 'ignore' });
    child.once('error', () => resolve(null));
    child.once('close', resolve);
  });
  if (code !== 0) throw notFound('docker compose');
}

/** @private */
function notFound(what: string): StackError {
  return new StackError(
    'STACK_BINARY_NOT_FOUND',
    `${what} not found — the compose driver needs Docker with the Compose v2 plugin (or use --driver local)`,
  );
}
