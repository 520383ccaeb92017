import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { findExecutable } from '../stack/binaries.js';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly valkey: string;
  readonly nginx: string;
  readonly packages: Record<string, string>;
  readonly git: string;
}

/** The libraries whose versions the figures depend on. */
const PACKAGES = [
  '@baton/session',
  'ioredis',
  'express',
  'express-session',
  'connect-redis',
  'redis',
  '@redis/client',
  'autocannon',
] as const;

export function machineInfo(root: string): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) packages[name] = packageVersion(name);
  return {
    cores: os.availableParallelism(),
    cpuModel:
      /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    valkey: firstLine(run(findExecutable('valkey-server'), ['--version'])),
    nginx: firstLine(run(findExecutable('nginx'), ['-v'])).replace(/^nginx version:\s*/, ''),
    packages,
    git: gitDescription(root),
  };
}

/** `abc1234` or `abc1234 + uncommitted changes` (the bench measures the working tree). */
function gitDescription(root: string): string {
  try {
    const head = run('git', ['-C', root, 'rev-parse', '--short', 'HEAD']).trim();
    const dirty = run('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no']).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

/** @private Output of a command, stderr included (nginx -v prints there). */
function run(command: string, args: string[]): string {
  if (command === 'git')
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

/** @private */
function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** @private The installed version of `name`, found from its entry point upwards. */
function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.dirname(require.resolve(name));
  } catch {
    return 'not installed';
  }
  while (dir !== path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? 'unknown';
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
