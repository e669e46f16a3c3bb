import { activityInfo, ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { askAccountSlotSignal, type AccountGateInput } from '../../contract/account-gate.js';
import { accountGateWorkflowId } from '../../domain/ids.js';
import type { ProviderName } from '../../domain/models.js';
import type { ActivityDeps } from '../deps.js';

export interface AccountSlotRequest {
  provider: ProviderName;
  /** Which of the asking workflow's jobs, e.g. "take-3". */
  ticket: string;
  /** What `recoil status` shows for the claim. */
  label: string;
}

/**
 * Puts the calling workflow in line for one of its provider account's job slots, starting the
 * account's gate if none runs. Returns the gate's id, or undefined when this worker sets no
 * account limit for the provider (the workflow then goes ahead at once). Asking twice for the
 * same ticket (a retried attempt) keeps the first place in line.
 */
export function askAccountSlotActivity(deps: ActivityDeps) {
  return async function askAccountSlot(request: AccountSlotRequest): Promise<string | undefined> {
    const capacity = deps.accountLimits?.[request.provider];
    if (!capacity) return undefined;
    const info = activityInfo();
    const holder = info.workflowExecution?.workflowId;
    if (!holder) throw ApplicationFailure.nonRetryable('account slots are held by workflows; askAccountSlot ran outside one', 'NoWorkflow');
    const gate = accountGateWorkflowId(request.provider, info.taskQueue);
    const input: AccountGateInput = {
      account: request.provider,
      state: { capacity, holding: [], waiting: [] },
      ...(deps.accountGateCheckHoldersEverySec ? { checkHoldersEverySec: deps.accountGateCheckHoldersEverySec } : {}),
    };
    await Context.current().client.workflow.signalWithStart('accountGateWorkflow', {
      workflowId: gate,
      taskQueue: info.taskQueue,
      args: [input],
      signal: askAccountSlotSignal,
      signalArgs: [{ holder, ticket: request.ticket, label: request.label, askedAt: new Date().toISOString(), capacity }],
      staticSummary: `${request.provider}: jobs in flight across every episode on this namespace`,
    });
    return gate;
  };
}

/** Which of these workflows no longer run (finished, terminated, or never existed). */
export function findClosedWorkflowsActivity() {
  return async function findClosedWorkflows(workflowIds: string[]): Promise<string[]> {
    const { client } = Context.current();
    const closed = await Promise.all(
      workflowIds.map(async (id) => {
        try {
          return (await client.workflow.getHandle(id).describe()).status.name === 'RUNNING' ? undefined : id;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return id;
          throw err;
        }
      }),
    );
    return closed.filter((id): id is string => id !== undefined);
  };
}
