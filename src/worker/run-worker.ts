import { hostname } from 'node:os';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import sharp from 'sharp';
import { RECOIL_DEPLOYMENT } from '../contract/deployment.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { promoteOnStart, type PromotePolicy } from '../temporal/worker-deployment.js';
import { startTracing, type Tracing } from '../telemetry/tracing.js';
import { buildIdOf } from './build-id.js';
import { createRecoilWorker, type RecoilWorkerOptions } from './create-worker.js';
import { chooseWorkflowSource, workflowCodeOf, type WorkflowSource } from './workflow-bundle.js';

export interface RunWorkerOptions extends Pick<RecoilWorkerOptions, 'providers' | 'gridProviders' | 'accountLimits' | 'accountGateCheckHoldersEverySec' | 'dataConverter'> {
  connection: NativeConnectionOptions & { address: string };
  namespace: string;
  taskQueue: string;
  store: ArtifactStore;
  maxConcurrentActivityTaskExecutions?: number;
  /** Defaults to the prebuilt bundle when it is fresh, else bundling at start. */
  workflows?: WorkflowSource;
  /** The Worker Deployment this worker joins (default `recoil`) and whether its build becomes current at start. */
  deployment?: DeploymentChoice;
  /** Told once the worker polls and its build is current if it was to be: the start line goes here. */
  onStart?: (started: StartedWorker) => void;
  /** Default: from OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, flushed when the worker stops. */
  tracing?: Tracing;
}

export interface DeploymentChoice {
  name?: string;
  /** Default `if-none`: a first install makes its build current, a rollout beside a running build waits for `recoil deploy promote`. */
  promote?: PromotePolicy;
}

export interface StartedWorker {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Where artifacts are kept: a folder, or s3://bucket/prefix. */
  artifacts: string;
  /** Which workflow code this worker runs: "prebuilt bundle …" or "bundled at start (…)". */
  workflows: string;
  /** True when payloads are encrypted before they reach the server (RECOIL_CODEC_KEYS). */
  encrypted?: boolean;
  /** Where spans are exported, when they are. */
  tracesEndpoint?: string;
  deploymentName: string;
  buildId: string;
  /** What starting did about this build: made current, already current, or left as it is. */
  promotion: string;
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
  // libvips keeps recent images and operations for reuse; a worker makes each picture once (contact
  // sheets, frames), so its cache would only hold memory.
  sharp.cache(false);
  sharp.concurrency(1);
  const workflows = options.workflows ?? (await chooseWorkflowSource());
  const code = await workflowCodeOf(workflows.options);
  const version = { deploymentName: options.deployment?.name ?? RECOIL_DEPLOYMENT, buildId: buildIdOf(code) };
  const connection = await NativeConnection.connect(options.connection).catch((error: Error) => {
    throw new NoTemporalServerError(options.connection.address, error);
  });
  const tracing = options.tracing ?? startTracing('recoil-worker');
  try {
    const worker = await createRecoilWorker({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      store: options.store,
      providers: options.providers,
      ...(options.gridProviders ? { gridProviders: options.gridProviders } : {}),
      ...(options.accountLimits ? { accountLimits: options.accountLimits } : {}),
      ...(options.accountGateCheckHoldersEverySec ? { accountGateCheckHoldersEverySec: options.accountGateCheckHoldersEverySec } : {}),
      workflows: { workflowBundle: { code } },
      version,
      ...(options.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions } : {}),
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
      tracing,
    });
    // The server learns of a build from its first poll, so the build is promoted while the worker runs.
    const ready = async () => {
      const target = { namespace: options.namespace, deploymentName: version.deploymentName };
      const promotion = await promoteOnStart(connection, target, version.buildId, options.deployment?.promote ?? 'if-none', `recoil worker@${hostname()}`);
      (options.onStart ?? printStartLine)({
        address: options.connection.address,
        namespace: options.namespace,
        taskQueue: options.taskQueue,
        artifacts: options.store.where,
        workflows: workflows.description,
        ...(options.dataConverter ? { encrypted: true } : {}),
        ...(tracing.endpoint ? { tracesEndpoint: tracing.endpoint } : {}),
        ...version,
        promotion,
      });
    };
    if (until) {
      return await worker.runUntil(async () => {
        await ready();
        return until();
      });
    }
    const running = worker.run();
    await ready().catch(async (error: Error) => {
      worker.shutdown();
      await running;
      throw error;
    });
    await running;
    return undefined;
  } finally {
    await connection.close();
    if (!options.tracing) await tracing.shutdown();
  }
}

export function startLine(started: StartedWorker): string {
  const payloads = started.encrypted ? '; payloads encrypted (RECOIL_CODEC_KEYS)' : '';
  const traces = started.tracesEndpoint ? `; traces to ${started.tracesEndpoint}` : '';
  return `worker polling ${started.taskQueue} at ${started.address} (${started.namespace}); build ${started.buildId} of deployment ${started.deploymentName} (${started.promotion}); workflows: ${started.workflows}; artifacts in ${started.artifacts}${payloads}${traces}`;
}

function printStartLine(started: StartedWorker): void {
  console.log(startLine(started));
}
