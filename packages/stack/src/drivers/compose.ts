import { setTimeout as sleep } from 'node:timers/promises';
import { assertComposeAvailable, dockerCompose } from '../compose/docker-compose.js';
import { isServiceReady, parseComposePs, type ComposeService } from '../compose/ps.js';
import { StackError } from '../errors.js';
import type { ResolvedStackOptions } from '../options.js';
import type { ProcessStatus, StackDriver } from '../stack-driver.js';
import {
  DEFAULT_REPLICAS,
  SERVICES,
  replicaName,
  serviceOf,
  type ProcessName,
  type ReplicaName,
  type ServiceName,
} from '../topology.js';

/** compose.yaml's services until it has one per tier (issue 13, the lead's half). */
const PROCESS_NAMES: ProcessName[] = [
  'valkey',
  'nginx',
  ...SERVICES.flatMap((s) => [...Array(DEFAULT_REPLICAS).keys()].map((i) => replicaName(s, i + 1))),
];

/**
 * Drives the repository's compose.yaml with `docker compose` (the v2 plugin): the services are
 * named like the local processes, so every verb maps onto one compose command. Compose owns the
 * containers' state, so nothing is written under the state directory.
 */
export class ComposeDriver implements StackDriver {
  readonly #options: ResolvedStackOptions;
  #available: Promise<void> | undefined;

  constructor(options: ResolvedStackOptions) {
    if (options.topology !== 'standalone') {
      // compose.yaml has the topology as a profile; its apps need VALKEY_SENTINELS set (README).
      throw new StackError(
        'STACK_OPTIONS_INVALID',
        `--topology ${options.topology} runs with the local driver; with Docker use compose.yaml's profile: docker compose --profile ${options.topology} up (packages/stack/README.md)`,
      );
    }
    this.#options = options;
  }

  async up(): Promise<void> {
    // --wait: returns once every service with a healthcheck is healthy (the others: running).
    await this.#compose(['up', '--detach', '--wait']);
  }

  async down(): Promise<void> {
    // Keeps the valkey-data volume: `down` stops the stack, it does not drop the sessions.
    await this.#compose(['down']);
  }

  async status(): Promise<ProcessStatus[]> {
    const services = await this.#services();
    return PROCESS_NAMES.map((name) => {
      const service = services.find((candidate) => candidate.Service === name);
      const published = service?.Publishers?.find((publisher) => publisher.PublishedPort > 0);
      return {
        name,
        service: serviceOf(name) ?? null,
        address: null,
        // Container processes live in another PID namespace; their host PIDs are not ours to signal.
        pid: null,
        port: published?.PublishedPort ?? null,
        state: service?.State === 'running' ? 'running' : 'stopped',
      };
    });
  }

  async restart(name: ProcessName): Promise<void> {
    // SIGTERM (the image's exec-form entrypoint makes node PID 1), stop_grace_period, start.
    await this.#compose(['restart', name]);
    await this.waitReady(name);
  }

  async kill(name: ProcessName): Promise<void> {
    await this.#compose(['kill', '--signal', 'SIGKILL', name]);
  }

  async start(name: ProcessName): Promise<void> {
    await this.#compose(['start', name]);
    await this.waitReady(name);
  }

  async scale(_service: ServiceName, _replicas: number): Promise<void> {
    throw new StackError('STACK_NOT_SUPPORTED', 'scale: not implemented for compose yet');
  }

  async deploy(_service: ServiceName, _options: { version: string }): Promise<void> {
    throw new StackError('STACK_NOT_SUPPORTED', 'deploy: not implemented for compose yet');
  }

  async recreate(_name: ReplicaName): Promise<void> {
    throw new StackError('STACK_NOT_SUPPORTED', 'recreate: not implemented for compose yet');
  }

  async waitReady(name: ProcessName): Promise<void> {
    const deadline = Date.now() + this.#options.readyTimeoutMs;
    for (;;) {
      const service = (await this.#services()).find((candidate) => candidate.Service === name);
      if (isServiceReady(service)) return;
      if (service && service.State !== 'running' && service.State !== 'restarting') {
        throw new StackError(
          'STACK_NOT_READY',
          `${name} is ${service.State}; see docker compose logs ${name}`,
        );
      }
      if (Date.now() > deadline) {
        throw new StackError(
          'STACK_NOT_READY',
          `${name} not healthy after ${this.#options.readyTimeoutMs / 1000} s; see docker compose logs ${name}`,
        );
      }
      await sleep(500);
    }
  }

  /** @private */
  async #services(): Promise<ComposeService[]> {
    return parseComposePs(await this.#compose(['ps', '--all', '--format', 'json']));
  }

  /** @private */
  async #compose(args: string[]): Promise<string> {
    const { root, env, edgePort, onEvent } = this.#options;
    this.#available ??= assertComposeAvailable(root);
    await this.#available;
    return dockerCompose(args, {
      root,
      env: { ...env, EDGE_PORT: String(edgePort) },
      onProgress: (line) => onEvent({ name: 'stack', event: 'info', detail: line }),
    });
  }
}
