import { resolve } from 'node:path';
import pc from 'picocolors';
import { temporalTarget } from '../temporal/connection-config.js';
import { ensureSearchAttributes, isServerHealthy, startDevServer } from '../temporal/dev-server.js';
import { uiBaseUrl } from '../review/ui-url.js';

export interface LocalServer {
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
  /** Stops the server if this process started it; a server that was already running is left alone. */
  release(): Promise<void>;
  startedHere: boolean;
}

/**
 * Reuses the Temporal server at TEMPORAL_ADDRESS when it answers, else starts the local dev server
 * (its Web UI decoding payloads through `uiCodecEndpoint`, when given).
 */
export async function ensureLocalServer(options: { uiCodecEndpoint?: string } = {}): Promise<LocalServer> {
  const target = temporalTarget();
  if (await isServerHealthy(target.address)) {
    // It may be a plain `temporal server start-dev` that has never heard of our search attributes.
    await ensureSearchAttributes(target.address, target.namespace);
    console.log(`${pc.cyan('●')} using the Temporal server already running at ${target.address}`);
    return { address: target.address, namespace: target.namespace, taskQueue: target.taskQueue, uiUrl: uiBaseUrl(target.address), startedHere: false, release: async () => {} };
  }
  const dataDir = resolve(process.env.RECOIL_DATA_DIR ?? '.recoil/temporal');
  console.log(`${pc.cyan('●')} starting the Temporal dev server (data in ${dataDir})…`);
  const server = await startDevServer({ dataDir, port: portOf(target.address), ...options, onProgress: (line) => console.log(pc.dim(`  ${line}`)) });
  console.log(`${pc.green('✓')} Temporal dev server at ${server.address}; Web UI ${server.uiUrl}`);
  return {
    address: server.address,
    namespace: server.namespace,
    taskQueue: target.taskQueue,
    uiUrl: server.uiUrl ?? uiBaseUrl(server.address),
    startedHere: true,
    release: () => server.stop(),
  };
}

function portOf(address: string): number {
  return Number(address.split(':').at(-1)) || 7233;
}
