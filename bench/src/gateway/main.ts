import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ProcessSupervisor } from '@baton/process-supervisor';
import { GATEWAY_FULL, GATEWAY_QUICK, gatewayBuilds, runGatewayBench } from './gateway-bench.js';
import { renderGatewayReport } from './gateway-report.js';

/** The repository root, from `dist/src/gateway/`. */
const root = fileURLToPath(new URL('../../../..', import.meta.url));

const flags = new Command('baton-bench-gateway')
  .description("The gateway's CPU per proxied request, optionally against other gateway builds")
  .option('--quick', 'a few seconds: checks that it works, no profile', false)
  .option(
    '--against <main.js>',
    "another build's apps/gateway/dist/src/main.js, measured in the same run (repeatable)",
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option('--no-profile', 'skip the CPU profile')
  .parse()
  .opts<{ quick: boolean; against: string[]; profile: boolean }>();

const supervisor = new ProcessSupervisor();
supervisor.installExitHandlers(console.log, async () => {});
const base = flags.quick ? GATEWAY_QUICK : GATEWAY_FULL;
const plan = flags.profile ? base : { ...base, profileSeconds: 0 };
const results = await runGatewayBench(
  supervisor,
  root,
  plan,
  gatewayBuilds(flags.against),
  console.log,
);
console.log(`\n${renderGatewayReport(results)}`);
const failed = results.runs.reduce((sum, run) => sum + run.failed, 0);
process.exit(failed > 0 ? 1 : 0);
