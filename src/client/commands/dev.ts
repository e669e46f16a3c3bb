import type { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pc from 'picocolors';
import { artifactsRootFromEnv } from '../../worker/artifacts-root.js';
import { createRecoilWorker } from '../../worker/create-worker.js';
import { providersFromEnv } from '../../worker/providers-from-env.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import { ensureLocalServer } from '../local-server.js';
import { DEFAULT_CONSOLE_PORT } from '../../console/console-url.js';
import type { RunningConsole } from '../../console/server.js';
import { openConsole } from './console.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('start the local Temporal dev server (persistent, with Web UI), a worker and the console')
    .option('--console-port <n>', 'port of the console on 127.0.0.1', String(DEFAULT_CONSOLE_PORT))
    .action(async (opts: { consolePort: string }) => {
      const server = await ensureLocalServer();
      const connection = await NativeConnection.connect({ address: server.address });
      const artifactsRoot = artifactsRootFromEnv();
      const worker = await createRecoilWorker({ connection, namespace: server.namespace, taskQueue: server.taskQueue, artifactsRoot, ...providersFromEnv(artifactsRoot, await loadPricingOrExit()) });
      console.log(`${pc.green('✓')} worker running; artifacts in ${artifactsRoot}`);
      const clientConnection = await Connection.connect({ address: server.address });
      const reviewConsole = await startConsoleBeside({ client: new Client({ connection: clientConnection, namespace: server.namespace }), connection: clientConnection, namespace: server.namespace, uiBase: server.uiUrl }, opts.consolePort);
      console.log(`  Web UI: ${server.uiUrl}   console: ${reviewConsole?.url ?? 'not started'}`);
      console.log(`  Ctrl-C stops the worker, the console${server.startedHere ? ' and the server' : ''}.`);
      try {
        await worker.run();
      } finally {
        await reviewConsole?.close();
        await clientConnection.close();
        await connection.close();
        await server.release();
      }
    });
}

/** The worker matters more than the console: a busy port is reported and the worker runs anyway. */
async function startConsoleBeside(temporal: Parameters<typeof openConsole>[0], port: string): Promise<RunningConsole | undefined> {
  try {
    return await openConsole(temporal, { port, host: '127.0.0.1' });
  } catch (err) {
    console.log(pc.yellow(`! console not started: ${(err as Error).message}`));
    return undefined;
  }
}
