import { defineConfig, devices } from '@playwright/test';

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
];
const onCompose = process.env.BATON_E2E_DRIVER === 'compose';

/**
 * One shared stack (global-setup.ts) that the scenarios restart, kill and stop: they run one at a
 * time, in file order, in one worker. Chromium is the system's (/usr/bin/chromium), never a
 * Playwright download.
 */
export default defineConfig({
  testDir: '.',
  testMatch: onCompose ? COMPOSE_SPECS.map((name) => `${name}.spec.ts`) : '*.spec.ts',
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  workers: 1,
  fullyParallel: false,
  // A resilience claim that needs a retry to pass is not proved: failures stay failures.
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  // Each driver keeps its own results, so a compose run does not overwrite the local one's.
  outputDir: onCompose ? './test-results-compose' : './test-results',
  reporter: [
    ['list'],
    [
      'html',
      {
        outputFolder: onCompose ? './playwright-report-compose' : './playwright-report',
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
