import type { FaultProxyClient } from '@baton/fault-proxy';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertComposeAvailable, docker, dockerCompose } from '../compose/docker-compose.js';
import { isServiceReady, parseComposePs, type ComposeService } from '../compose/ps.js';
import { StackError } from '../errors.js';
import type { ResolvedStackOptions } from '../options.js';
import type { ProcessStatus, StackDriver } from '../stack-driver.js';
import {
  SERVICES,
  serviceOf,
  type ProcessName,
  type ReplicaName,
  type ServiceName,
} from '../topology.js';

/** The port every app listens on inside its container (compose.yaml's PORT). */
const APP_PORT = 3000;

/**
 * Drives the repository's compose.yaml with `docker compose` (the v2 plugin). Valkey and nginx
 * are services of one container each; every app tier is one service with numbered replicas,
 * the containers `<project>-<service>-<n>`, which the apps name themselves after (`cart-3`).
 * Compose has verbs for services, not for one replica, so what targets a single replica (kill,
 * restart, the replacements of `deploy`) uses the engine's CLI on that container. Compose and
 * the engine own the state; nothing is written under the state directory.
 *
 * nginx finds replicas through Docker's DNS and re-resolves them every second, so the driver
 * never touches nginx when replicas come and go. A replica leaves nginx's DNS answer when its
 * container stops; between SIGTERM and its exit it refuses new connections, which nginx retries
 * on another replica for every method, while the requests it already has finish.
 */
export class ComposeDriver implements StackDriver {
  readonly #options: ResolvedStackOptions;
  #available: Promise<void> | undefined;

  constructor(options: ResolvedStackOptions) {
    if (options.faults) {
      throw new StackError(
        'STACK_OPTIONS_INVALID',
        'the fault proxy (BATON_FAULTS=1, --faults) runs with the local driver only',
      );
    }
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
    // Builds only missing images (`deploy` builds new ones; `docker compose build` rebuilds).
    // --wait: returns once every service with a healthcheck is healthy (the others: running).
    await this.#compose(['up', '--detach', '--wait']);
  }

  async down(): Promise<void> {
    // Keeps the valkey-data volume: `down` stops the stack, it does not drop the sessions.
    await this.#compose(['down']);
  }

  async status(): Promise<ProcessStatus[]> {
    const containers = await this.#containers();
    const addresses = await this.#addresses(containers.filter((c) => c.State === 'running'));
    const byName = new Map(containers.map((container) => [this.#nameOf(container), container]));
    const names = [
      'valkey',
      'nginx',
      ...SERVICES.flatMap((service) => this.#replicasIn(containers, service)),
    ] as ProcessName[];
    return names.map((name) => {
      const container = byName.get(name);
      const published = container?.Publishers?.find((publisher) => publisher.PublishedPort > 0);
      const address = container ? addresses.get(container.Name) : undefined;
      return {
        name,
        service: serviceOf(name) ?? null,
        // Container processes live in another PID namespace; their host PIDs are not ours to signal.
        pid: null,
        port: published?.PublishedPort ?? (serviceOf(name) ? APP_PORT : null),
        address: address ?? null,
        state: container?.State === 'running' ? 'running' : 'stopped',
      };
    });
  }

  async restart(name: ProcessName): Promise<void> {
    // SIGTERM (the image's exec-form entrypoint makes node PID 1), stop_grace_period, start.
    await this.#docker(['restart', await this.#containerOf(name)]);
    await this.waitReady(name);
  }

  async kill(name: ProcessName): Promise<void> {
    const container = await this.#containerOf(name);
    await this.#docker(['kill', '--signal', 'SIGKILL', container]).catch((error: unknown) => {
      // Killing what is not running does nothing, as the interface says.
      if (!/is not running/.test(String((error as Error).message))) throw error;
    });
    await this.#docker(['wait', container]);
  }

  async start(name: ProcessName): Promise<void> {
    await this.#docker(['start', await this.#containerOf(name)]);
    await this.waitReady(name);
  }

  async waitReady(name: ProcessName): Promise<void> {
    const deadline = Date.now() + this.#options.readyTimeoutMs;
    for (;;) {
      const container = (await this.#containers()).find((c) => this.#nameOf(c) === name);
      if (isServiceReady(container)) return;
      if (container && container.State !== 'running' && container.State !== 'restarting') {
        throw new StackError(
          'STACK_NOT_READY',
          `${name} is ${container.State}; see docker logs ${container.Name}`,
        );
      }
      if (Date.now() > deadline) {
        throw new StackError(
          'STACK_NOT_READY',
          `${name} not healthy after ${this.#options.readyTimeoutMs / 1000} s; see docker logs ${container?.Name ?? this.#containerName(name)}`,
        );
      }
      await sleep(500);
    }
  }

  async scale(service: ServiceName, replicas: number): Promise<void> {
    const current = this.#replicasIn(await this.#containers(), service);
    if (replicas > current.length) {
      await this.#scaleTo(service, replicas);
      return;
    }
    // Compose would stop every leaving container at once; one at a time, each drains while the
    // others take its traffic, and nginx never meets two refusing replicas in a row.
    for (const name of current.slice(replicas).reverse()) await this.#remove(name);
  }

  async deploy(service: ServiceName, options: { version: string }): Promise<void> {
    // The image's BUILD_VERSION build argument (compose.yaml passes ${BUILD_VERSION}).
    await this.#compose(['build', service], { BUILD_VERSION: options.version });
    const old = this.#replicasIn(await this.#containers(), service);
    for (const name of old) {
      // Start-first: one more replica from the new image, healthy, before an old one leaves.
      await this.#scaleTo(service, old.length + 1, { BUILD_VERSION: options.version });
      await this.#remove(name);
    }
  }

  async faultProxy(): Promise<FaultProxyClient> {
    throw new StackError(
      'STACK_OPTIONS_INVALID',
      'the fault proxy runs with the local driver only',
    );
  }

  async recreate(name: ReplicaName): Promise<ReplicaName> {
    const service = serviceOf(name)!;
    const count = this.#replicasIn(await this.#containers(), service).length;
    // Start-first, as a deploy replaces a container: the new one (compose numbers it anew) gets
    // an address while the old one still holds its own, so it never inherits the old address.
    const [added] = await this.#scaleTo(service, count + 1);
    await this.#remove(name);
    return added ?? name;
  }

  /** Drains (docker stop: SIGTERM, SIGKILL after stop_grace_period) and removes one replica. @private */
  async #remove(name: ProcessName): Promise<void> {
    const container = await this.#containerOf(name);
    this.#options.onEvent({ name, event: 'stopping', detail: 'SIGTERM' });
    await this.#docker(['stop', container]);
    await this.#docker(['rm', container]);
    this.#options.onEvent({ name, event: 'stopped' });
  }

  /**
   * `replicas` containers of `service`, the existing ones untouched, new ones healthy; resolves
   * with the names it added. @private
   */
  async #scaleTo(
    service: ServiceName,
    replicas: number,
    env: Record<string, string> = {},
  ): Promise<ReplicaName[]> {
    const before = this.#replicasIn(await this.#containers(), service);
    await this.#compose(
      [
        ...['up', '--detach', '--no-deps', '--no-recreate', '--wait'],
        ...['--scale', `${service}=${replicas}`, service],
      ],
      env,
    );
    const added = this.#replicasIn(await this.#containers(), service).filter(
      (name) => !before.includes(name),
    );
    for (const name of added) this.#options.onEvent({ name, event: 'ready' });
    return added;
  }

  /** The replicas of `service` in `containers`, by number. @private */
  #replicasIn(containers: ComposeService[], service: ServiceName): ReplicaName[] {
    return containers
      .filter((container) => container.Service === service)
      .map((container) => this.#nameOf(container) as ReplicaName)
      .sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
  }

  /** `baton-cart-3` → `cart-3`; `baton-valkey-1` → `valkey`. @private */
  #nameOf(container: ComposeService): string {
    if (!serviceOf(`${container.Service}-1`)) return container.Service;
    const number = /-(\d+)$/.exec(container.Name)?.[1] ?? '1';
    return `${container.Service}-${number}`;
  }

  /** @private */
  #containerName(name: ProcessName): string {
    return `${this.#options.composeProject}-${serviceOf(name) ? name : `${name}-1`}`;
  }

  /** The container of `name`, or STACK_UNKNOWN_PROCESS naming the ones there are. @private */
  async #containerOf(name: ProcessName): Promise<string> {
    const containers = await this.#containers();
    const container = containers.find((c) => this.#nameOf(c) === name);
    if (container) return container.Name;
    throw new StackError(
      'STACK_UNKNOWN_PROCESS',
      `${name} is not a container of compose project ${this.#options.composeProject} (${containers.map((c) => this.#nameOf(c)).join(', ') || 'none'})`,
    );
  }

  /** `<ip>:3000` of each app container, as nginx reaches it. @private */
  async #addresses(containers: ComposeService[]): Promise<Map<string, string>> {
    const apps = containers.filter((container) => serviceOf(`${container.Service}-1`));
    if (apps.length === 0) return new Map();
    const format = '{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}';
    const output = await this.#docker(['inspect', '--format', format, ...apps.map((c) => c.Name)]);
    const addresses = new Map<string, string>();
    for (const line of output.split('\n')) {
      const [name, ip] = line.trim().split(/\s+/);
      if (name && ip) addresses.set(name.replace(/^\//, ''), `${ip}:${APP_PORT}`);
    }
    return addresses;
  }

  /** @private */
  async #containers(): Promise<ComposeService[]> {
    return parseComposePs(await this.#compose(['ps', '--all', '--format', 'json']));
  }

  /** @private */
  async #compose(args: string[], env: Record<string, string> = {}): Promise<string> {
    const { root, composeProject, composeFiles } = this.#options;
    this.#available ??= assertComposeAvailable(root);
    await this.#available;
    return dockerCompose(args, {
      ...this.#commandOptions(env),
      project: composeProject,
      files: composeFiles,
    });
  }

  /** @private */
  #docker(args: string[]): Promise<string> {
    return docker(args, this.#commandOptions({}));
  }

  /** @private */
  #commandOptions(env: Record<string, string>) {
    const { root, env: appEnv, edgePort, onEvent } = this.#options;
    return {
      root,
      env: { ...appEnv, ...env, EDGE_PORT: String(edgePort) },
      onProgress: (line: string) => onEvent({ name: 'stack', event: 'info', detail: line }),
    };
  }
}
