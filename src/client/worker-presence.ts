import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;
import { TASK_QUEUE } from '../domain/ids.js';

/** True when some worker has polled the pipeline's task queue recently. */
export async function hasLiveWorker(client: Client, taskQueue = TASK_QUEUE): Promise<boolean> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (response.pollers ?? []).length > 0;
}

export const NO_WORKER_HINT = 'no worker is running: start one with `npx recoil dev` (or `npx recoil worker`)';
