import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { ensureTemporalCli } from './cli-binary.js';
import { RECOIL_SEARCH_ATTRIBUTES } from './search-attributes.js';

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface StartDevServerOptions {
  dataDir: string;
  /** 0 picks a free port (tests); undefined means Temporal's usual 7233. */
  port?: number;
  /** 0 picks a free port; undefined means port + 1000, as the Temporal CLI does. */
  uiPort?: number;
  namespace?: string;
  headless?: boolean;
  /** A codec server the Web UI decodes payloads with (`recoil codec-server`), when they are encrypted. */
  uiCodecEndpoint?: string;
  onProgress?: (line: string) => void;
  /** Defaults to temporal.log inside dataDir. */
  logFile?: string;
}

const HOST = '127.0.0.1';
const DEFAULT_PORT = 7233;
const UI_PORT_OFFSET = 1000;
const STARTUP_TIMEOUT_MS = 60_000;
const HEALTH_POLL_MS = 250;
const PROBE_TIMEOUT_MS = 3_000;
const STOP_GRACE_MS = 10_000;
const PORT_ATTEMPTS = 3;
const FRONTEND_HEALTH_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';

export async function startDevServer(opts: StartDevServerOptions): Promise<DevServer> {
  const cli = await ensureTemporalCli({ onProgress: opts.onProgress });
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  // A free port can be taken by another process before the server binds it: pick again then.
  const ourPicks = opts.port === 0 || opts.uiPort === 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPorts(cli, dataDir, opts);
    } catch (error) {
      if (!ourPicks || attempt >= PORT_ATTEMPTS || !(error instanceof PortTakenError)) throw error;
      opts.onProgress?.(`${error.message}; trying other ports`);
    }
  }
}

async function startOnPorts(cli: string, dataDir: string, opts: StartDevServerOptions): Promise<DevServer> {
  const port = opts.port === 0 ? await freePort() : (opts.port ?? DEFAULT_PORT);
  const uiPort = opts.headless ? undefined : await resolveUiPort(opts, port);
  const namespace = opts.namespace ?? 'default';
  const logFile = resolve(opts.logFile ?? join(dataDir, 'temporal.log'));
  const address = `${HOST}:${port}`;

  opts.onProgress?.(`starting the Temporal dev server on ${address} (log: ${logFile})`);
  const child = await spawnLogged(cli, devServerArgs({ dataDir, port, uiPort, namespace, ...(opts.uiCodecEndpoint ? { uiCodecEndpoint: opts.uiCodecEndpoint } : {}) }), logFile);
  const stop = stopOnce(child);
  try {
    await waitUntilHealthy(address, child, logFile);
    await ensureSearchAttributes(address, namespace);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, namespace, uiUrl: uiPort === undefined ? undefined : `http://${HOST}:${uiPort}`, stop };
}

/** The server could not bind a port that was free a moment before. */
class PortTakenError extends Error {}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening, fail) => {
    server.once('error', fail);
    server.listen(0, HOST, listening);
  });
  const address = server.address();
  await new Promise((closed) => server.close(closed));
  if (address === null || typeof address === 'string') throw new Error('could not read the port the OS picked');
  return address.port;
}

export async function isServerHealthy(address: string): Promise<boolean> {
  // A refused TCP connect answers at once; gRPC alone would retry until its deadline.
  if (!(await acceptsTcp(address))) return false;
  try {
    const { status } = await withConnection(address, (connection) =>
      connection.withDeadline(Date.now() + PROBE_TIMEOUT_MS, () =>
        connection.healthService.check({ service: FRONTEND_HEALTH_SERVICE }),
      ),
    );
    return status === 1; // grpc.health.v1 SERVING
  } catch {
    return false;
  }
}

/**
 * Registers whichever of our search attributes the namespace lacks. `--search-attribute` only
 * applies when the SQLite file is first created, so an older `.recoil/temporal` (or a server
 * someone else started) would otherwise miss attributes added since.
 */
export async function ensureSearchAttributes(address: string, namespace = 'default'): Promise<void> {
  await withConnection(address, async (connection) => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing: Record<string, number> = {};
    for (const { name, type } of RECOIL_SEARCH_ATTRIBUTES) {
      const wanted = encodeSearchAttributeIndexedValueType(type.toUpperCase() as Uppercase<typeof type>)!;
      const existing = customAttributes?.[name];
      if (existing === undefined) missing[name] = wanted;
      else if (existing !== wanted) {
        throw new Error(`search attribute ${name} already exists on namespace ${namespace} with a type other than ${type}`);
      }
    }
    if (Object.keys(missing).length > 0) {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    }
  });
}

// Connection.connect() leaks its channel when the server does not answer, so connect lazily and always close.
async function withConnection<T>(address: string, use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = Connection.lazy({ address, connectTimeout: PROBE_TIMEOUT_MS });
  try {
    await connection.ensureConnected();
    return await use(connection);
  } finally {
    await connection.close();
  }
}

async function resolveUiPort(opts: StartDevServerOptions, port: number): Promise<number> {
  // A random frontend port plus the offset could collide or exceed 65535, so pick a free one too.
  if (opts.uiPort === 0 || (opts.uiPort === undefined && opts.port === 0)) return freePort();
  return opts.uiPort ?? port + UI_PORT_OFFSET;
}

function devServerArgs(o: { dataDir: string; port: number; uiPort?: number; namespace: string; uiCodecEndpoint?: string }): string[] {
  return [
    'server', 'start-dev',
    '--db-filename', join(o.dataDir, 'temporal.db'),
    '--ip', HOST,
    '--port', String(o.port),
    ...(o.uiPort === undefined ? ['--headless'] : ['--ui-port', String(o.uiPort)]),
    ...(o.uiPort !== undefined && o.uiCodecEndpoint ? ['--ui-codec-endpoint', o.uiCodecEndpoint] : []),
    '--namespace', o.namespace,
    ...searchAttributeArgs(),
    '--log-level', 'warn',
  ];
}

function searchAttributeArgs(): string[] {
  return RECOIL_SEARCH_ATTRIBUTES.flatMap(({ name, type }) => ['--search-attribute', `${name}=${type}`]);
}

// The server writes straight into the log file, so its output never depends on our event loop.
async function spawnLogged(command: string, args: string[], logFile: string): Promise<ChildProcess> {
  const log = await open(logFile, 'a');
  try {
    const child = spawn(command, args, { stdio: ['ignore', log.fd, log.fd] });
    await new Promise<void>((spawned, fail) => {
      child.once('spawn', spawned);
      child.once('error', fail);
    });
    killWithParent(child);
    return child;
  } finally {
    await log.close();
  }
}

// A parent that exits without calling stop() cannot wait for a graceful shutdown; SQLite commits survive SIGKILL.
function killWithParent(child: ChildProcess): void {
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}

async function waitUntilHealthy(address: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      const tail = await logTail(logFile);
      const message = `The Temporal dev server exited (${exitDescription(child)}) before it became healthy. See ${logFile}:\n${tail}`;
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw log.includes('address already in use') ? new PortTakenError(message) : new Error(message);
    }
    if (await isServerHealthy(address)) return;
    await sleep(HEALTH_POLL_MS);
  }
  throw new Error(`The Temporal dev server did not become healthy on ${address} within ${STARTUP_TIMEOUT_MS / 1000}s. See ${logFile}:\n${await logTail(logFile)}`);
}

function stopOnce(child: ChildProcess): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= terminate(child));
}

async function terminate(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function exitDescription(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
}

async function acceptsTcp(address: string): Promise<boolean> {
  const separator = address.lastIndexOf(':');
  const socket = connect({ host: address.slice(0, separator), port: Number(address.slice(separator + 1)) });
  socket.setTimeout(PROBE_TIMEOUT_MS);
  const connected = await new Promise<boolean>((settle) => {
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });
  socket.destroy();
  return connected;
}

async function logTail(logFile: string): Promise<string> {
  const content = await readFile(logFile, 'utf8').catch(() => '');
  return content.trimEnd().split('\n').slice(-20).join('\n');
}
