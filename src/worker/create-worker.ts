import type { DataConverter, WorkerDeploymentVersion } from '@temporalio/common';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { GridProvider } from '../activities/providers/grid-provider.js';
import { createLocalGridProvider } from '../activities/providers/local/local-grid-provider.js';
import type { VideoProviders } from '../activities/providers/provider.js';
import type { ProviderName } from '../domain/models.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { ActivitySpanAttributes } from '../telemetry/activity-span-attributes.js';
import type { Tracing } from '../telemetry/tracing.js';
import type { WorkflowSource } from './workflow-bundle.js';

export interface RecoilWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** Where takes, grids and deliveries are kept (RECOIL_ARTIFACTS_URL / RECOIL_ARTIFACTS_DIR). */
  store: ArtifactStore;
  providers: VideoProviders;
  /** Start-frame grid makers; the offline one when not given. */
  gridProviders?: Partial<Record<GridProvider['name'], GridProvider>>;
  taskQueue: string;
  /** A prebuilt bundle, or the workflows' source to bundle now (see chooseWorkflowSource). */
  workflows: WorkflowSource['options'];
  /** Caps concurrently running activities on this worker, e.g. to share one fal account's limit. */
  maxConcurrentActivityTaskExecutions?: number;
  /** Jobs in flight per provider account across every episode on the task queue; none means no account limit. */
  accountLimits?: Partial<Record<ProviderName, number>>;
  /** How often an account gate checks that its holders still run while someone waits (tests shorten it). */
  accountGateCheckHoldersEverySec?: number;
  /** Encrypts client text before it reaches the server (RECOIL_CODEC_KEYS); payloads in clear without it. */
  dataConverter?: DataConverter;
  /** The Worker Deployment version this worker is: pinned workflows only ever run on their own build. */
  version: WorkerDeploymentVersion;
  /** The tracer of this process's activity spans (src/telemetry/tracing.ts). */
  tracing: Pick<Tracing, 'tracer'>;
}

/**
 * Open workflows a worker keeps in memory between their tasks. Most of a large episode's sequences
 * wait (for a slot, for a person), and each kept one holds memory on both of the worker's threads;
 * one that was let go replays its short history when its turn comes. The SDK's default (thousands
 * on this machine) kept all 200 of a 200-sequence episode.
 */
const CACHED_WORKFLOWS = 100;

export async function createRecoilWorker(options: RecoilWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...options.workflows,
    activities: createActivities({
      store: options.store,
      providers: options.providers,
      gridProviders: options.gridProviders ?? { local: createLocalGridProvider() },
      ...(options.accountLimits ? { accountLimits: options.accountLimits } : {}),
      ...(options.accountGateCheckHoldersEverySec ? { accountGateCheckHoldersEverySec: options.accountGateCheckHoldersEverySec } : {}),
    }),
    maxCachedWorkflows: CACHED_WORKFLOWS,
    ...(options.maxConcurrentActivityTaskExecutions ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions } : {}),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    interceptors: {
      activity: [
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: options.tracing.tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
        () => ({ inbound: new ActivitySpanAttributes() }),
      ],
    },
    // Every workflow type names its own behaviour (src/workflows/index.ts); a new one waits on its build.
    workerDeploymentOptions: { version: options.version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' },
  });
}
