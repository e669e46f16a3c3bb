import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { inject } from 'vitest';
import type { GridProvider } from '../../src/activities/providers/grid-provider.js';
import type { VideoProviders } from '../../src/activities/providers/provider.js';
import { runWorker, type RunWorkerOptions } from '../../src/worker/run-worker.js';
import { installRuntime } from '../../src/worker/runtime.js';
import { hasLiveWorker } from '../../src/review/worker-presence.js';
import { sequenceWorkflowId } from '../../src/domain/ids.js';
import type { SequenceUnit } from '../../src/domain/sequence-unit.js';
import { statusQuery, type SequenceInput, type SequenceStatus } from '../../src/contract/sequence.js';
import type { sequenceWorkflow } from '../../src/workflows/sequence-workflow.js';
import { LocalFolderStore } from '../../src/store/local-folder-store.js';

// The SDK's per-state worker logs drown test output; warnings and errors still show.
installRuntime('WARN');

export interface Harness {
  client: Client;
  connection: Connection;
  taskQueue: string;
  artifactsRoot: string;
  stop(): Promise<void>;
}

/** A real worker on the suite's dev server, on a task queue of its own, with the given providers. */
export async function startHarness(
  providers: VideoProviders,
  taskQueue = `test-${randomUUID()}`,
  artifactsRoot?: string,
  gridProviders?: Partial<Record<GridProvider['name'], GridProvider>>,
  address = inject('temporalAddress'),
  extra: Pick<RunWorkerOptions, 'accountLimits' | 'accountGateCheckHoldersEverySec' | 'deployment' | 'workflows'> = {},
): Promise<Harness> {
  artifactsRoot ??= await mkdtemp(join(tmpdir(), 'recoil-artifacts-'));
  let stopWorker!: () => void;
  const stopped = new Promise<void>((resolve) => (stopWorker = resolve));
  let polling!: () => void;
  const started = new Promise<void>((resolve) => (polling = resolve));
  // The same path `recoil worker` takes, on the bundle the suite built once.
  const running = runWorker(
    {
      connection: { address },
      namespace: 'default',
      taskQueue,
      store: new LocalFolderStore(artifactsRoot),
      providers,
      ...(gridProviders ? { gridProviders } : {}),
      // Every test worker runs the suite's one bundle, so they are all one build of the deployment.
      workflows: { options: { workflowBundle: { codePath: inject('workflowBundlePath') } }, description: 'the suite\'s bundle' },
      deployment: { promote: 'always' },
      ...extra,
      onStart: () => polling(),
    },
    () => stopped,
  );
  await Promise.race([started, running]);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  await untilPolling(client, taskQueue);
  return {
    client,
    connection,
    taskQueue,
    artifactsRoot,
    async stop() {
      stopWorker();
      await running;
      await connection.close();
    },
  };
}

/**
 * A worker has started before the server has seen it poll, and until then a decision goes by signal
 * (no live worker). Under load that gap is long enough to matter, so a test's worker counts as ready
 * once the server lists it among the task queue's pollers.
 */
async function untilPolling(client: Client, taskQueue: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await hasLiveWorker(client, taskQueue))) {
    if (Date.now() > deadline) throw new Error(`the test worker on ${taskQueue} started but the server saw no poll from it within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Polls the status query until `predicate` holds (or fails the test after `timeoutMs`). */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: SequenceStatus) => boolean,
  timeoutMs = 60_000,
): Promise<SequenceStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: SequenceStatus | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(statusQuery).catch(() => last);
    if (last && predicate(last)) return last;
    await sleep(150);
  }
  throw new Error(`status never matched; last: ${JSON.stringify(last && { state: last.state, takes: last.takes, decisions: last.decisions })}`);
}

/** The decisions a sequence refused, oldest first, as `status` lists them. */
export function refusals(status: SequenceStatus): { decision: string; by: string; reason: string }[] {
  return status.decisions.filter((d) => d.outcome === 'refused').map((d) => ({ decision: d.decision, by: d.by, reason: d.detail }));
}

/** A sequence workflow on its own (no episode), on the harness's queue, with the offline provider. */
export function startSequence(
  harness: Harness,
  unit: SequenceUnit,
  options: Partial<Pick<SequenceInput, 'maxTakes' | 'autoRetakes' | 'retryCapSec'>> = {},
): Promise<WorkflowHandle<typeof sequenceWorkflow>> {
  const input: SequenceInput = { unit, provider: 'local', maxTakes: 5, autoRetakes: 0, ...options };
  return harness.client.workflow.start('sequenceWorkflow', {
    workflowId: sequenceWorkflowId(unit.projectId, unit.episode, unit.sequenceId),
    taskQueue: harness.taskQueue,
    args: [input],
  }) as Promise<WorkflowHandle<typeof sequenceWorkflow>>;
}
