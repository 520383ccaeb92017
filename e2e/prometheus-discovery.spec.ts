// compose.yaml's `observability` profile against the live compose stack (compose driver only;
// the suite's compose stack runs the profile, see fixtures/stack-handle.ts): Prometheus finds
// every replica of gateway, account and cart through Docker's DNS and scrapes each one (`up`),
// evaluates every rule of infra/prometheus/baton.rules.yml, and scrapes a replica that
// `scale cart 3` adds, and stops scraping it once `scale cart 2` removed it. Its port is
// published on 127.0.0.1 only.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { Stack } from '@baton/stack';
import { activeTargets, loadedRules, type ScrapeTarget } from './fixtures/prometheus-api.js';
import { expect, test } from './fixtures/test.js';

const TIERS = ['gateway', 'account', 'cart'] as const;
/** DNS refreshed every 5 s, then the next scrape within 5 s (prometheus.compose.yml), a margin. */
const DISCOVERED_WITHIN_MS = 30_000;

test('Prometheus (compose observability profile): every replica found through Docker DNS and up, the rules loaded, a scaled-out cart scraped', async ({
  stack,
}) => {
  await expect
    .poll(() => scrapeProblems(stack), {
      message: 'every running replica is a target, and every target is up',
      timeout: DISCOVERED_WITHIN_MS,
    })
    .toEqual([]);
  console.log(`prometheus: ${summary(await activeTargets(stack))}`);

  const file = parse(
    await readFile(new URL('../infra/prometheus/baton.rules.yml', import.meta.url), 'utf8'),
  ) as { groups: { name: string; rules: { record?: string; alert?: string }[] }[] };
  const expected = file.groups.flatMap((group) =>
    group.rules.map((rule) => ({
      rule: `${group.name}/${rule.record ?? rule.alert}`,
      health: 'ok',
    })),
  );
  // Health is `unknown` until a rule's first evaluation (every 5 s). The API lists the groups by
  // name, not in the file's order.
  const byRule = (a: { rule: string }, b: { rule: string }) => a.rule.localeCompare(b.rule);
  await expect
    .poll(async () => (await loadedRules(stack)).sort(byRule), { timeout: 15_000 })
    .toEqual(expected.sort(byRule));
  console.log(`prometheus: ${expected.length} rules loaded, each evaluated ok`);

  const published = await publishedAddresses(stack);
  expect(published.length, 'Prometheus publishes its port').toBeGreaterThan(0);
  expect(published, 'on loopback only').toEqual(published.map(() => '127.0.0.1'));

  const before = await addressesOf(stack, 'cart');
  try {
    await stack.scale('cart', 3);
    const [added] = (await addressesOf(stack, 'cart')).filter((a) => !before.includes(a));
    expect(added, 'scale added a cart replica').toBeTruthy();
    const scaled = Date.now();
    await expect.poll(() => scrapeProblems(stack), { timeout: DISCOVERED_WITHIN_MS }).toEqual([]);
    const targets = await activeTargets(stack);
    expect(targets.filter((t) => t.job === 'cart').map((t) => t.address)).toContain(added);
    console.log(
      `prometheus: after scale cart=3: ${summary(targets)}; ${added} scraped ${Date.now() - scaled} ms after scale resolved`,
    );
  } finally {
    await stack.scale('cart', 2);
  }
  await expect.poll(() => scrapeProblems(stack), { timeout: DISCOVERED_WITHIN_MS }).toEqual([]);
  console.log(`prometheus: after scale cart=2: ${summary(await activeTargets(stack))}`);
});

/**
 * What is wrong with Prometheus's view of the fleet, as lines (none when all is well): a running
 * replica it does not scrape, a target that is no running replica, a target that is not up.
 */
async function scrapeProblems(stack: Stack): Promise<string[]> {
  const targets = await activeTargets(stack);
  const problems: string[] = [];
  for (const job of TIERS) {
    const scraped = targets.filter((t) => t.job === job).map((t) => t.address);
    const running = await addressesOf(stack, job);
    for (const address of running.filter((a) => !scraped.includes(a))) {
      problems.push(`${job}: ${address} runs but is no target`);
    }
    for (const address of scraped.filter((a) => !running.includes(a))) {
      problems.push(`${job}: ${address} is a target but no running replica`);
    }
  }
  for (const target of targets.filter((t) => t.health !== 'up')) {
    problems.push(`${target.job}: ${target.address} is ${target.health} ${target.lastError}`);
  }
  return problems;
}

/** `<ip>:3000` of every running replica of `service`, as the driver reports it. */
async function addressesOf(stack: Stack, service: string): Promise<string[]> {
  return (await stack.status())
    .filter((entry) => entry.service === service && entry.state === 'running' && entry.address)
    .map((entry) => entry.address!)
    .sort();
}

/** `gateway 2 targets, 2 up; …` */
function summary(targets: ScrapeTarget[]): string {
  return TIERS.map((job) => {
    const ofJob = targets.filter((t) => t.job === job);
    const up = ofJob.filter((t) => t.health === 'up').length;
    return `${job} ${ofJob.length} targets, ${up} up (${ofJob.map((t) => t.address).join(' ')})`;
  }).join('; ');
}

/** The host addresses Prometheus's container publishes its port on. */
async function publishedAddresses(stack: Stack): Promise<string[]> {
  const { stdout } = await promisify(execFile)('docker', [
    ...['inspect', '--format', '{{json .NetworkSettings.Ports}}'],
    `${stack.options.composeProject}-prometheus-1`,
  ]);
  const ports = JSON.parse(stdout) as Record<string, { HostIp: string }[] | null>;
  return Object.values(ports).flatMap((bindings) => (bindings ?? []).map((b) => b.HostIp));
}
