import { dataConverterFromEnv } from '../../codec/data-converter.js';
import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { Client, Connection } from '@temporalio/client';
import pc from 'picocolors';
import { runWorker, startLine } from '../../worker/run-worker.js';
import { workerFromEnv } from '../../worker/worker-from-env.js';
import { loadPricingOrExit } from '../load-or-exit.js';
import { ensureLocalServer } from '../local-server.js';
import { DEFAULT_CONSOLE_PORT } from '../../console/console-url.js';
import type { RunningConsole } from '../../console/server.js';
import { openConsole } from './console.js';
import { AesGcmCodec } from '../../codec/aes-gcm-codec.js';
import { codecKeysFromEnv } from '../../codec/codec-keys.js';
import { startCodecServer, type RunningCodecServer } from '../../codec/codec-server.js';
import { temporalTarget } from '../../temporal/connection-config.js';
import { uiBaseUrl } from '../../review/ui-url.js';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(COMMAND_SUMMARIES['dev'])
    .option('--console-port <n>', 'port of the console on 127.0.0.1', String(DEFAULT_CONSOLE_PORT))
    .action(async (opts: { consolePort: string }) => {
      const codec = await startCodecServerBeside();
      const server = await ensureLocalServer(codec ? { uiCodecEndpoint: codec.url } : {});
      const clientConnection = await Connection.connect({ address: server.address });
      const temporal = { client: new Client({ connection: clientConnection, namespace: server.namespace, ...dataConverterFromEnv() }), connection: clientConnection, namespace: server.namespace, uiBase: server.uiUrl };
      const reviewConsole = await startConsoleBeside(temporal, opts.consolePort);
      try {
        await runWorker({
          ...workerFromEnv(await loadPricingOrExit(), server),
          onStart: (started) => {
            console.log(`${pc.green('✓')} ${startLine(started)}`);
            console.log(`  Web UI: ${server.uiUrl}   console: ${reviewConsole?.url ?? 'not started'}${codec ? `   codec endpoint: ${codec.url}` : ''}`);
            console.log(`  Ctrl-C stops the worker, the console${server.startedHere ? ' and the server' : ''}.`);
          },
        });
      } finally {
        await reviewConsole?.close();
        await codec?.close();
        await clientConnection.close();
        await server.release();
      }
    });
}

/**
 * With RECOIL_CODEC_KEYS set, payloads reach the server encrypted: the local Web UI reads them
 * through a codec server on RECOIL_CODEC_PORT (8089). A busy port is reported; the rest runs anyway.
 */
async function startCodecServerBeside(): Promise<RunningCodecServer | undefined> {
  const keys = codecKeysFromEnv();
  if (!keys) return undefined;
  const ui = new URL(uiBaseUrl(temporalTarget().address));
  const uiOrigins = [ui.origin, `${ui.protocol}//localhost:${ui.port}`];
  try {
    return await startCodecServer({ codec: new AesGcmCodec(keys), uiOrigins, port: Number(process.env.RECOIL_CODEC_PORT ?? 8089) });
  } catch (err) {
    console.log(pc.yellow(`! codec server not started (${(err as Error).message}): the Web UI will show encrypted payloads`));
    return undefined;
  }
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
