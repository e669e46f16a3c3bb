import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import type { Client, Connection } from '@temporalio/client';
import pc from 'picocolors';
import { startConsole, type RunningConsole } from '../../console/server.js';
import { storeFromEnv } from '../../store/store-from-env.js';
import { usageError, runtimeError } from '../../domain/cli-error.js';
import { connectClient } from '../connect.js';
import { uiBaseUrl } from '../../review/ui-url.js';
import { untilInterrupted } from '../until-interrupted.js';

export interface ConsoleFlags {
  port: string;
  host: string;
  allowHost?: string;
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description(COMMAND_SUMMARIES['console'])
    .option('--port <n>', 'port to listen on', '4500')
    .option('--host <address>', 'address to bind; anything but loopback needs the printed token link', '127.0.0.1')
    .option('--allow-host <names>', 'comma-separated extra host names browsers may use to reach the console')
    .action(async (flags: ConsoleFlags) => {
      const { client, connection, namespace, address } = await connectClient();
      const running = await openConsole({ client, connection, namespace, uiBase: uiBaseUrl(address) }, flags);
      console.log(`${pc.green('✓')} console: ${running.url}`);
      if (running.token) console.log(pc.yellow('  that link carries a one-time token: open it once, the browser keeps it as a cookie. Do not share it.'));
      console.log(pc.dim('  Ctrl-C stops the console.'));
      await untilInterrupted();
      await running.close();
      await connection.close();
    });
}

/** Checks the flags, then starts the console; `recoil dev` uses this too. */
export async function openConsole(temporal: { client: Client; connection: Connection; namespace: string; uiBase: string }, flags: ConsoleFlags): Promise<RunningConsole> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port ${flags.port}: use a port number from 0 to 65535`);
  const allowHosts = flags.allowHost?.split(',').map((h) => h.trim()).filter(Boolean) ?? [];
  try {
    return await startConsole({
      ...temporal,
      store: storeFromEnv(),
      host: flags.host,
      port,
      allowHosts,
      ...(process.env.RECOIL_USER ? { defaultUser: process.env.RECOIL_USER } : {}),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw runtimeError(`port ${port} is in use on ${flags.host}: pass --port with a free one`);
    throw err;
  }
}
