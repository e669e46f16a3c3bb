import type { Command } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import { temporalTarget } from '../../temporal/connection-config.js';
import { artifactsRootFromEnv } from '../../worker/artifacts-root.js';
import { createRecoilWorker } from '../../worker/create-worker.js';
import { providersFromEnv } from '../../worker/providers-from-env.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import { runtimeError } from '../cli-error.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker against TEMPORAL_ADDRESS (default: the local dev server)')
    .option('--max-activities <n>', 'cap concurrent activities on this worker (e.g. one fal account\'s job limit)')
    .action(async (opts: { maxActivities?: string }) => {
      const target = temporalTarget();
      const connection = await NativeConnection.connect(target.connectionOptions).catch((err: Error) => {
        throw runtimeError(`no Temporal server answers at ${target.address} (${err.message}): start one with \`npx recoil dev\` or set TEMPORAL_ADDRESS`);
      });
      const artifactsRoot = artifactsRootFromEnv();
      const worker = await createRecoilWorker({
        connection,
        namespace: target.namespace,
        taskQueue: target.taskQueue,
        artifactsRoot,
        ...providersFromEnv(artifactsRoot, await loadPricingOrExit()),
        ...(opts.maxActivities ? { maxConcurrentActivityTaskExecutions: Number(opts.maxActivities) } : {}),
      });
      console.log(`worker connected to ${target.address} (${target.namespace}); artifacts in ${artifactsRoot}. Ctrl-C stops it.`);
      await worker.run();
      await connection.close();
    });
}
