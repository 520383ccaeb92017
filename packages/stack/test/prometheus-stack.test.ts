// The local stack's Prometheus (Debian's package, started when installed): it scrapes every
// replica, finds one that `scale` adds without a restart, and has loaded the platform's rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExecutable } from '../src/local/binaries.js';
import type { Stack } from '../src/stack.js';
import { temporaryStack, type TemporaryStack } from './temporary-stack.js';

const installed = findExecutable('prometheus') !== null;

describe(
  'local stack with prometheus',
  {
    timeout: 120_000,
    skip: !installed && 'prometheus is not installed (./scripts/setup.sh installs it)',
  },
  () => {
    let temporary: TemporaryStack;
    let stack: Stack;
    let port: number;

    before(async () => {
      temporary = await temporaryStack();
      ({ stack } = temporary);
      await stack.up();
      const entry = (await stack.status()).find((e) => e.name === 'prometheus');
      assert.equal(entry?.state, 'running');
      port = entry.port!;
    });
    after(() => temporary?.dispose());

    /** `up` by replica name, once every expected replica has been scraped at least once. */
    async function upByReplica(expected: string[]): Promise<Record<string, string>> {
      let seen: Record<string, string> = {};
      for (let i = 0; i < 40; i++) {
        const url = `http://127.0.0.1:${port}/api/v1/query?query=up`;
        const body = (await (await fetch(url)).json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        seen = Object.fromEntries(body.data.result.map((r) => [r.metric.instance!, r.value[1]]));
        if (expected.every((name) => seen[name] === '1')) return seen;
        await sleep(500);
      }
      return seen;
    }

    it('scrapes every replica, labelled with its name and service', async () => {
      const names = (await stack.status()).filter((e) => e.service).map((e) => e.name);
      const up = await upByReplica(names);
      console.log(`prometheus :${port} up: ${JSON.stringify(up)}`);
      for (const name of names) assert.equal(up[name], '1', `${name} is scraped`);
    });

    it('finds a replica that scale adds, without a restart', async () => {
      await stack.scale('cart', 3);
      const up = await upByReplica(['cart-3']);
      assert.equal(up['cart-3'], '1', `cart-3 is scraped: ${JSON.stringify(up)}`);
      await stack.scale('cart', 2);
    });

    it('has loaded the recording and alert rules of infra/prometheus', async () => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/rules`)).json()) as {
        data: { groups: { name: string; rules: { name: string; health: string }[] }[] };
      };
      const rules = body.data.groups.flatMap((g) => g.rules);
      const alerts = rules.map((r) => r.name).filter((name) => name.startsWith('Baton'));
      assert.deepEqual(alerts.sort(), [
        'BatonLatencyP99OverBudget',
        'BatonReplicaNotReady',
        'BatonSessionCommitErrors',
        'BatonSessionStoreUnavailable',
      ]);
      for (const rule of rules) assert.notEqual(rule.health, 'err', rule.name);
    });
  },
);
