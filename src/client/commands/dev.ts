import type { Command } from 'commander';
import pc from 'picocolors';
import { runWorker, startLine } from '../../worker/run-worker.js';
import { workerFromEnv } from '../../worker/worker-from-env.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import { ensureLocalServer } from '../local-server.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('start the local Temporal dev server (persistent, with Web UI) and a worker')
    .action(async () => {
      const server = await ensureLocalServer();
      try {
        await runWorker({
          ...workerFromEnv(await loadPricingOrExit(), server),
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
