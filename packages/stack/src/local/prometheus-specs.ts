import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { serviceOf, type ReplicaName } from '../topology.js';
import type { StackPaths } from './paths.js';
import { httpOk } from './probes.js';
import { specBase, type ProcessSpec, type SpecContext } from './process-spec.js';
import type { StackState } from './state-store.js';

/** Often enough that a scaled-out replica shows up in seconds, cheap beside six Node processes. */
const SCRAPE_INTERVAL = '5s';

/**
 * Debian's `prometheus`, when installed: it scrapes `/metrics` of every replica of the stack and
 * evaluates infra/prometheus/baton.rules.yml. It finds the replicas in a file_sd targets file
 * that the stack rewrites whenever the replicas change (writePrometheusTargets), so scaled and
 * deployed ones are scraped without a restart. Data lives under `<stateDir>/prometheus`.
 */
export function prometheusSpec({ paths, binaries, state }: SpecContext): ProcessSpec {
  const port = state.ports.prometheus!;
  const dir = prometheusDir(paths);
  return {
    ...specBase('prometheus', paths),
    port,
    command: binaries.prometheus!,
    args: [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
    ],
    signature: path.join(dir, 'prometheus.yml'),
    ready: httpOk(port, '/-/ready'),
    prepare: async () => {
      await mkdir(path.join(dir, 'data'), { recursive: true });
      await writeFile(path.join(dir, 'prometheus.yml'), prometheusConfig(paths));
      await writePrometheusTargets(paths, state);
    },
  };
}

/**
 * The routed replicas of `state` (those nginx sends traffic to, a killed one included until it is
 * taken out) with port and service, written atomically: file_sd reloads it by itself. A replica
 * that `scale` or `deploy` removes leaves the list before it drains, so it raises no alert.
 */
export async function writePrometheusTargets(paths: StackPaths, state: StackState): Promise<void> {
  if (state.ports.prometheus === undefined) return;
  const routed = Object.entries(state.replicas).filter(([, replica]) => replica!.routed);
  const targets = routed.map(([name, replica]) => ({
    targets: [`127.0.0.1:${replica!.port}`],
    labels: { service: serviceOf(name as ReplicaName)!, replica: name },
  }));
  const dir = prometheusDir(paths);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'targets.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(targets, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** @private */
function prometheusDir(paths: StackPaths): string {
  return path.join(paths.stateDir, 'prometheus');
}

/**
 * @private `honor_labels`: each app labels its series `instance="cart-2"` itself (service-kit's
 * registry), which is the name people know; the target's address stays in `__address__`.
 */
function prometheusConfig(paths: StackPaths): string {
  const dir = prometheusDir(paths);
  return `# Written by the local stack at each start of prometheus (packages/stack/src/local/prometheus-specs.ts).
global:
  scrape_interval: ${SCRAPE_INTERVAL}
  evaluation_interval: ${SCRAPE_INTERVAL}
rule_files:
  - ${JSON.stringify(path.join(paths.root, 'infra', 'prometheus', 'baton.rules.yml'))}
scrape_configs:
  - job_name: baton
    honor_labels: true
    file_sd_configs:
      - files: [${JSON.stringify(path.join(dir, 'targets.json'))}]
    relabel_configs:
      - source_labels: [replica]
        target_label: instance
`;
}
