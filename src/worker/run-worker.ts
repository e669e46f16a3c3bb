import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { createRecoilWorker, type RecoilWorkerOptions } from './create-worker.js';
import { chooseWorkflowSource, type WorkflowSource } from './workflow-bundle.js';

export interface RunWorkerOptions extends Pick<RecoilWorkerOptions, 'providers' | 'gridProviders' | 'accountLimits' | 'accountGateCheckHoldersEverySec' | 'dataConverter'> {
  connection: NativeConnectionOptions & { address: string };
  namespace: string;
  taskQueue: string;
  artifactsRoot: string;
  maxConcurrentActivityTaskExecutions?: number;
  /** Defaults to the prebuilt bundle when it is fresh, else bundling at start. */
  workflows?: WorkflowSource;
  /** Told once the worker is created, just before it polls: the start line goes here. */
  onStart?: (started: StartedWorker) => void;
}

export interface StartedWorker {
  address: string;
  namespace: string;
  taskQueue: string;
  artifactsRoot: string;
  /** Which workflow code this worker runs: "prebuilt bundle …" or "bundled at start (…)". */
  workflows: string;
  /** True when payloads are encrypted before they reach the server (RECOIL_CODEC_KEYS). */
  encrypted?: boolean;
}

/** No Temporal server answered the worker; the CLI turns this into advice on starting one. */
export class NoTemporalServerError extends Error {
  constructor(
    readonly address: string,
    cause: Error,
  ) {
    super(`no Temporal server answers at ${address} (${cause.message})`);
  }
}

/**
 * The worker's entry point, shared by `recoil worker`, `recoil dev` and `recoil demo`: connect,
 * create the worker, poll until Ctrl-C (or until `until` settles), then close the connection.
 */
export async function runWorker<T = void>(options: RunWorkerOptions, until?: () => Promise<T>): Promise<T | undefined> {
  const workflows = options.workflows ?? (await chooseWorkflowSource());
  const connection = await NativeConnection.connect(options.connection).catch((error: Error) => {
    throw new NoTemporalServerError(options.connection.address, error);
  });
  try {
    const worker = await createRecoilWorker({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      artifactsRoot: options.artifactsRoot,
      providers: options.providers,
      ...(options.gridProviders ? { gridProviders: options.gridProviders } : {}),
      ...(options.accountLimits ? { accountLimits: options.accountLimits } : {}),
      ...(options.accountGateCheckHoldersEverySec ? { accountGateCheckHoldersEverySec: options.accountGateCheckHoldersEverySec } : {}),
      workflows: workflows.options,
      ...(options.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions } : {}),
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    });
    (options.onStart ?? printStartLine)({
      address: options.connection.address,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      artifactsRoot: options.artifactsRoot,
      workflows: workflows.description,
      ...(options.dataConverter ? { encrypted: true } : {}),
    });
    if (until) return await worker.runUntil(until);
    await worker.run();
    return undefined;
  } finally {
    await connection.close();
  }
}

export function startLine(started: StartedWorker): string {
  const payloads = started.encrypted ? '; payloads encrypted (RECOIL_CODEC_KEYS)' : '';
  return `worker polling ${started.taskQueue} at ${started.address} (${started.namespace}); workflows: ${started.workflows}; artifacts in ${started.artifactsRoot}${payloads}`;
}

function printStartLine(started: StartedWorker): void {
  console.log(startLine(started));
}
