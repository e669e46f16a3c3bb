import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { NoTemporalServerError, runWorker, startLine } from '../../worker/run-worker.js';
import { installRuntime, metricsAddressFromEnv } from '../../worker/runtime.js';
import { workerFromEnv } from '../../worker/worker-from-env.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import { runtimeError } from '../../domain/cli-error.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(COMMAND_SUMMARIES['worker'])
    .option('--max-activities <n>', 'cap concurrent activities on this worker (the fal account\'s job limit is RECOIL_FAL_CONCURRENCY)')
    .action(async (opts: { maxActivities?: string }) => {
      const metricsAddress = metricsAddressFromEnv();
      if (metricsAddress) installRuntime('INFO', metricsAddress);
      await runWorker({
        ...workerFromEnv(await loadPricingOrExit()),
        ...(opts.maxActivities ? { maxConcurrentActivityTaskExecutions: Number(opts.maxActivities) } : {}),
        onStart: (started) => console.log(`${startLine(started)}${metricsAddress ? `; metrics at http://${metricsAddress}/metrics` : ''}. Ctrl-C stops it.`),
      }).catch(explainNoServer);
    });
}

function explainNoServer(error: unknown): never {
  if (error instanceof NoTemporalServerError) throw runtimeError(`${error.message}: start one with \`npx recoil dev\` or set TEMPORAL_ADDRESS`);
  throw error;
}
