import { promises as dns } from 'node:dns';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Where a compose replica learns its name. Every replica of a service runs the same image with
 * the same environment, so `INSTANCE_ID` cannot be set per replica; compose names the containers
 * `<project>-<service>-<n>`, though, and Docker's DNS resolves each of those names on the
 * project's network. It will not answer a container's reverse lookup of its own address, so the
 * replica asks the other way round: which `<project>-<service>-<n>` resolves to my address?
 * `<service>-<n>` is then the readable, unique name that `servedBy` and `X-Served-By` show.
 */
export interface ReplicaNameLookup {
  /** This host's non-loopback IPv4 addresses. @default from os.networkInterfaces() */
  addresses?: () => string[];
  /** Forward DNS (A records). @default node:dns promises.resolve4 */
  resolve?: (name: string) => Promise<string[]>;
  /** How long to keep asking: a new container's name can take a moment to appear. @default 5000 */
  timeoutMs?: number;
}

/** Thrown when INSTANCE_SERVICE is set but no container name of the service resolves to this host. */
export class ReplicaNameError extends Error {
  readonly code = 'REPLICA_NAME_UNKNOWN';
}

/** Container numbers tried; compose numbers replicas from 1 and a `deploy` keeps counting up. */
const MAX_REPLICA_NUMBER = 256;
/**
 * Names asked at once. Docker's embedded DNS drops part of a burst, and the resolver asks again
 * only after a second: measured in a container on a compose network, 8 unknown names at once
 * took 2-3 ms, 16 took 1 s one time in three, and all 256 at once took 6 s, the whole of a
 * replica's start-up. Asked 8 at a time, in order, a replica numbered up to 8 knows its name
 * after one batch.
 */
const NAMES_PER_BATCH = 8;

/**
 * `env` itself when it has an `INSTANCE_ID` or no `INSTANCE_SERVICE`; otherwise a copy whose
 * `INSTANCE_ID` is `<INSTANCE_SERVICE>-<n>`, for the `n` whose container name
 * `<COMPOSE_PROJECT_NAME>-<INSTANCE_SERVICE>-<n>` resolves to one of this host's addresses.
 */
export async function withReplicaName(
  env: NodeJS.ProcessEnv,
  lookup: ReplicaNameLookup = {},
): Promise<NodeJS.ProcessEnv> {
  const service = env.INSTANCE_SERVICE;
  if (env.INSTANCE_ID || !service) return env;
  const project = env.COMPOSE_PROJECT_NAME;
  if (!project) {
    throw new ReplicaNameError(
      `INSTANCE_SERVICE=${service} needs COMPOSE_PROJECT_NAME (compose.yaml passes it); or set INSTANCE_ID`,
    );
  }
  const own = new Set((lookup.addresses ?? ownAddresses)());
  const resolve = lookup.resolve ?? ((name: string) => dns.resolve4(name));
  const deadline = Date.now() + (lookup.timeoutMs ?? 5_000);
  for (;;) {
    for (let first = 1; first <= MAX_REPLICA_NUMBER; first += NAMES_PER_BATCH) {
      const numbers = Array.from({ length: NAMES_PER_BATCH }, (_, i) => first + i);
      const answers = await Promise.all(
        numbers.map((n) => resolve(`${project}-${service}-${n}`).catch(() => [] as string[])),
      );
      const index = answers.findIndex((addresses) => addresses.some((address) => own.has(address)));
      if (index >= 0) return { ...env, INSTANCE_ID: `${service}-${numbers[index]}` };
    }
    if (Date.now() >= deadline) break;
    await sleep(200);
  }
  throw new ReplicaNameError(
    `INSTANCE_ID is not set and no ${project}-${service}-<n> (n ≤ ${MAX_REPLICA_NUMBER}) resolves to ` +
      `${[...own].join(', ') || 'an address of this host'}; set INSTANCE_ID`,
  );
}

/** @private */
function ownAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((info) => info !== undefined && info.family === 'IPv4' && !info.internal)
    .map((info) => info!.address);
}
