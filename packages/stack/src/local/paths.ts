import path from 'node:path';
import type { ProcessName } from '../topology.js';

/** Every file the local driver reads or writes; all of it lives under the state directory. */
export interface StackPaths {
  readonly root: string;
  readonly stateDir: string;
  readonly stateFile: string;
  readonly lockDir: string;
  readonly logsDir: string;
  readonly valkeyDir: string;
  readonly valkeyConfig: string;
  readonly valkeyAclFile: string;
  readonly nginxDir: string;
  readonly nginxConfig: string;
  readonly nginxTemplate: string;
  /** `@baton/fault-proxy`'s entry point and log (stacks started with faults on). */
  readonly faultProxyMain: string;
  readonly faultProxyLog: string;
  log(name: ProcessName): string;
  appMain(app: string): string;
}

export function stackPaths(root: string, stateDir: string): StackPaths {
  const nginxDir = path.join(stateDir, 'nginx');
  const logsDir = path.join(stateDir, 'logs');
  return {
    root,
    stateDir,
    stateFile: path.join(stateDir, 'state.json'),
    lockDir: path.join(stateDir, 'state.lock'),
    logsDir,
    valkeyDir: path.join(stateDir, 'valkey'),
    valkeyConfig: path.join(root, 'infra', 'valkey', 'valkey.conf'),
    valkeyAclFile: path.join(root, 'infra', 'valkey', 'users.acl'),
    nginxDir,
    nginxConfig: path.join(nginxDir, 'nginx.conf'),
    nginxTemplate: path.join(root, 'infra', 'nginx', 'baton.conf.template'),
    faultProxyMain: path.join(root, 'packages', 'fault-proxy', 'dist', 'src', 'main.js'),
    faultProxyLog: path.join(logsDir, 'fault-proxy.log'),
    log: (name) => path.join(logsDir, `${name}.log`),
    appMain: (app) => path.join(root, 'apps', app, 'dist', 'src', 'main.js'),
  };
}
