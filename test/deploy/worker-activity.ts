import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { PendingActivityState, TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** The TypeScript SDK's default worker identity, which Temporal records on every task a worker takes. */
export function workerIdentity(pid: number): string {
  return `${pid}@${hostname()}`;
}

/** The identities of the workers polling the task queue for workflow tasks. */
export async function pollingWorkers(client: Client, taskQueue: string): Promise<string[]> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (response.pollers ?? []).map((poller) => poller.identity ?? '');
}

export interface RunningActivity {
  workflowId: string;
  activityId: string;
  type: string;
  identity: string;
  /** When the running attempt started, as the server recorded it. */
  startedAt?: Date;
}

/** Activities a worker has started and not finished, from each running workflow's description. */
export async function runningActivities(client: Client): Promise<RunningActivity[]> {
  const running: RunningActivity[] = [];
  for await (const info of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    const { raw } = await client.workflow.getHandle(info.workflowId, info.runId).describe();
    for (const activity of raw.pendingActivities ?? []) {
      if (activity.state !== PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) continue;
      running.push({
        workflowId: info.workflowId,
        activityId: activity.activityId ?? '',
        type: activity.activityType?.name ?? '',
        identity: activity.lastWorkerIdentity ?? '',
        ...(activity.lastStartedTime?.seconds ? { startedAt: new Date(Number(activity.lastStartedTime.seconds) * 1000 + Math.floor((activity.lastStartedTime.nanos ?? 0) / 1e6)) } : {}),
      });
    }
  }
  return running;
}

export interface CompletedActivity {
  workflowId: string;
  activityId: string;
  type: string;
  /** The worker whose attempt completed it. */
  identity: string;
  attempt: number;
}

/** Every activity completion in every workflow's history, with the worker that completed it. */
export async function completedActivities(client: Client): Promise<CompletedActivity[]> {
  const completed: CompletedActivity[] = [];
  for await (const info of client.workflow.list()) {
    const history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    const scheduled = new Map<string, { activityId: string; type: string }>();
    const started = new Map<string, number>();
    for (const event of history.events ?? []) {
      const id = String(event.eventId);
      const schedule = event.activityTaskScheduledEventAttributes;
      if (schedule) scheduled.set(id, { activityId: schedule.activityId ?? '', type: schedule.activityType?.name ?? '' });
      if (event.activityTaskStartedEventAttributes) started.set(id, event.activityTaskStartedEventAttributes.attempt ?? 1);
      const done = event.activityTaskCompletedEventAttributes;
      if (!done) continue;
      const activity = scheduled.get(String(done.scheduledEventId));
      completed.push({
        workflowId: info.workflowId,
        activityId: activity?.activityId ?? '?',
        type: activity?.type ?? '?',
        identity: done.identity ?? '',
        attempt: started.get(String(done.startedEventId)) ?? 1,
      });
    }
  }
  return completed;
}
