import { defineConfig, devices } from '@playwright/test';

/**
 * Scenarios of what only the compose stack has: its `observability` profile's Prometheus, finding
 * the containers through Docker's DNS (the local stack's Prometheus has its own test in
 * @baton/stack).
 */
const COMPOSE_ONLY_SPECS = ['prometheus-discovery'];
/**
 * The scenarios that run on the compose driver too (`npm run e2e:compose`): the article's demo
 * and node bouncing, restarts and crashes of containers, Valkey's restart, login fixation, and
 * the fleet changes of scaling, deploys (mixed-versions: v1 and v2 side by side) and recreated
 * containers. The others start stacks of
 * their own or read local processes, and run on the local driver only.
 */
const COMPOSE_SPECS = [
  'node-bouncing',
  'rolling-restart',
  'sigkill',
  'valkey-restart',
  'login-fixation',
  'scaling',
  'deploy',
  'recreate',
  'mixed-versions',
  ...COMPOSE_ONLY_SPECS,
];
const onCompose = process.env.BATON_E2E_DRIVER === 'compose';
/**
 * `npm run e2e:swarm`: the stack on a single-node Docker Swarm, deployed and removed by
 * swarm-setup.ts; only swarm.spec.ts runs there, and it runs nowhere else.
 */
const onSwarm = process.env.BATON_E2E_DRIVER === 'swarm';
const resultsSuffix = onSwarm ? '-swarm' : onCompose ? '-compose' : '';

/**
 * One shared stack (global-setup.ts) that the scenarios restart, kill and stop: they run one at a
 * time, in file order, in one worker. Chromium is the system's (/usr/bin/chromium), never a
 * Playwright download.
 */
export default defineConfig({
  testDir: '.',
  testMatch: onSwarm
    ? 'swarm.spec.ts'
    : onCompose
      ? COMPOSE_SPECS.map((name) => `${name}.spec.ts`)
      : '*.spec.ts',
  testIgnore: onSwarm
    ? []
    : onCompose
      ? 'swarm.spec.ts'
      : ['swarm.spec.ts', ...COMPOSE_ONLY_SPECS.map((name) => `${name}.spec.ts`)],
  globalSetup: onSwarm ? './swarm-setup.ts' : './global-setup.ts',
  ...(onSwarm ? {} : { globalTeardown: './global-teardown.ts' }),
  workers: 1,
  fullyParallel: false,
  // A resilience claim that needs a retry to pass is not proved: failures stay failures.
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  // Each driver keeps its own results, so a compose run does not overwrite the local one's.
  outputDir: `./test-results${resultsSuffix}`,
  reporter: [
    ['list'],
    [
      'html',
      {
        outputFolder: `./playwright-report${resultsSuffix}`,
        open: 'never',
      },
    ],
  ],
  use: {
    ...devices['Desktop Chrome'],
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
