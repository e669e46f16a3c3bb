import { activityInfo, ApplicationFailure, Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import { askAccountSlotSignal, claimAccountSlotUpdate, type AccountGateInput, type SlotAsk } from '../../contract/account-gate.js';
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

/** A claim put in line: the gate to release it to, and whether the slot is already the claimant's. */
export interface AccountSlotClaim {
  gate: string;
  granted: boolean;
}

/**
 * Puts the calling workflow in line for one of its provider account's job slots, starting the
 * account's gate if none runs, and answers at once whether a slot was free. Undefined when this
 * worker sets no account limit for the provider (the workflow then goes ahead at once). Claiming
 * twice for the same ticket (a retried attempt) keeps the first place in line, or the slot.
 */
export function claimAccountSlotActivity(deps: ActivityDeps) {
  return async function claimAccountSlot(request: AccountSlotRequest): Promise<AccountSlotClaim | undefined> {
    const line = gateLine(deps, request);
    if (!line) return undefined;
    const { client } = Context.current();
    const { granted } = await client.workflow.executeUpdateWithStart(claimAccountSlotUpdate, {
      args: [line.ask],
      startWorkflowOperation: new WithStartWorkflowOperation('accountGateWorkflow', { ...line.start, workflowIdConflictPolicy: 'USE_EXISTING' }),
    });
    return { gate: line.start.workflowId, granted };
  };
}

/**
 * The same line, asked by signal, for workflows of builds before 0.6.0 (their histories call it):
 * returns the gate's id; the grant always comes as a signal.
 */
export function askAccountSlotActivity(deps: ActivityDeps) {
  return async function askAccountSlot(request: AccountSlotRequest): Promise<string | undefined> {
    const line = gateLine(deps, request);
    if (!line) return undefined;
    await Context.current().client.workflow.signalWithStart('accountGateWorkflow', { ...line.start, signal: askAccountSlotSignal, signalArgs: [line.ask] });
    return line.start.workflowId;
  };
}

/** The account's gate (how to start it if none runs) and the calling workflow's ask; undefined when the account has no limit. */
function gateLine(deps: ActivityDeps, request: AccountSlotRequest) {
  const capacity = deps.accountLimits?.[request.provider];
  if (!capacity) return undefined;
  const info = activityInfo();
  const holder = info.workflowExecution?.workflowId;
  if (!holder) throw ApplicationFailure.nonRetryable('account slots are held by workflows; the claim ran outside one', 'NoWorkflow');
  const input: AccountGateInput = {
    account: request.provider,
    state: { capacity, holding: [], waiting: [] },
    ...(deps.accountGateCheckHoldersEverySec ? { checkHoldersEverySec: deps.accountGateCheckHoldersEverySec } : {}),
  };
  const ask: SlotAsk = { holder, ticket: request.ticket, label: request.label, askedAt: new Date().toISOString(), capacity };
  const start = {
    workflowId: accountGateWorkflowId(request.provider, info.taskQueue),
    taskQueue: info.taskQueue,
    args: [input] as [AccountGateInput],
    staticSummary: `${request.provider}: jobs in flight across every episode on this namespace`,
  };
  return { ask, start };
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
