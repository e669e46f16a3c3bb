import type { Command } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import pc from 'picocolors';
import { artifactsRootFromEnv } from '../../worker/artifacts-root.js';
import { createRecoilWorker } from '../../worker/create-worker.js';
import { providersFromEnv } from '../../worker/providers-from-env.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import { ensureLocalServer } from '../local-server.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('start the local Temporal dev server (persistent, with Web UI) and a worker')
    .action(async () => {
      const server = await ensureLocalServer();
      const connection = await NativeConnection.connect({ address: server.address });
      const artifactsRoot = artifactsRootFromEnv();
      const worker = await createRecoilWorker({ connection, namespace: server.namespace, taskQueue: server.taskQueue, artifactsRoot, ...providersFromEnv(artifactsRoot, await loadPricingOrExit()) });
      console.log(`${pc.green('✓')} worker running; artifacts in ${artifactsRoot}`);
      console.log(`  Web UI: ${server.uiUrl}   Ctrl-C stops the worker${server.startedHere ? ' and the server' : ''}.`);
      try {
        await worker.run();
      } finally {
        await connection.close();
        await server.release();
      }
    });
}
