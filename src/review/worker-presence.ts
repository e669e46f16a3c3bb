import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** A worker long-polls for up to a minute, so a live one has polled within this window. */
const LIVE_POLL_WINDOW_MS = 90_000;

/** True when some worker has polled the task queue recently (a hint: a worker may have just stopped). */
export async function hasLiveWorker(client: Client, taskQueue: string): Promise<boolean> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  const now = Date.now();
  return (response.pollers ?? []).some((p) => now - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < LIVE_POLL_WINDOW_MS);
}

export const NO_WORKER_HINT = 'no worker is running: start one with `npx recoil dev` (or `npx recoil worker`)';
