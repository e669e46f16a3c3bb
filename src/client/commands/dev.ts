import type { Command } from 'commander';
import pc from 'picocolors';
import { artifactsRootFromEnv } from '../../worker/artifacts-root.js';
import { providersFromEnv } from '../../worker/providers-from-env.js';
import { runWorker, startLine } from '../../worker/run-worker.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import { ensureLocalServer } from '../local-server.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('start the local Temporal dev server (persistent, with Web UI) and a worker')
    .action(async () => {
      const server = await ensureLocalServer();
      const artifactsRoot = artifactsRootFromEnv();
      try {
        await runWorker({
          connection: { address: server.address },
          namespace: server.namespace,
          taskQueue: server.taskQueue,
          artifactsRoot,
          ...providersFromEnv(artifactsRoot, await loadPricingOrExit()),
          onStart: (started) => {
            console.log(`${pc.green('✓')} ${startLine(started)}`);
            console.log(`  Web UI: ${server.uiUrl}   Ctrl-C stops the worker${server.startedHere ? ' and the server' : ''}.`);
          },
        });
      } finally {
        await server.release();
      }
    });
}
