import type { Command } from 'commander';
import { temporalTarget } from '../../temporal/connection-config.js';
import { artifactsRootFromEnv } from '../../worker/artifacts-root.js';
import { providersFromEnv } from '../../worker/providers-from-env.js';
import { NoTemporalServerError, runWorker, startLine } from '../../worker/run-worker.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import { runtimeError } from '../cli-error.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker against TEMPORAL_ADDRESS (default: the local dev server)')
    .option('--max-activities <n>', 'cap concurrent activities on this worker (e.g. one fal account\'s job limit)')
    .action(async (opts: { maxActivities?: string }) => {
      const target = temporalTarget();
      const artifactsRoot = artifactsRootFromEnv();
      await runWorker({
        connection: target.connectionOptions,
        namespace: target.namespace,
        taskQueue: target.taskQueue,
        artifactsRoot,
        ...providersFromEnv(artifactsRoot, await loadPricingOrExit()),
        ...(opts.maxActivities ? { maxConcurrentActivityTaskExecutions: Number(opts.maxActivities) } : {}),
        onStart: (started) => console.log(`${startLine(started)}. Ctrl-C stops it.`),
      }).catch(explainNoServer);
    });
}

function explainNoServer(error: unknown): never {
  if (error instanceof NoTemporalServerError) throw runtimeError(`${error.message}: start one with \`npx recoil dev\` or set TEMPORAL_ADDRESS`);
  throw error;
}
