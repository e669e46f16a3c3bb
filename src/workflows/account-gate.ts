import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { retryUntilItPasses } from './sequence-activities.js';
import {
  accountGateQuery,
  accountSlotGrantedSignal,
  askAccountSlotSignal,
  claimAccountSlotUpdate,
  releaseAccountSlotSignal,
  type AccountGateInput,
  type SlotAsk,
} from '../contract/account-gate.js';
import { AccountSlots, type SlotClaim } from '../domain/account-slots.js';
import { onSignal } from './signal-handler.js';

const { findClosedWorkflows } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: retryUntilItPasses(),
});

const DEFAULT_CHECK_HOLDERS_SEC = 30;
/** An idle gate closes after this; the next ask starts a new one with nothing to remember. */
const IDLE_BEFORE_CLOSING = '10 minutes';
/** Every ask and release is two events: start afresh well before the history grows heavy. */
const MAX_HISTORY_EVENTS = 4_000;

/**
 * One provider account's limit on jobs in flight, shared by every episode and project the task
 * queue serves: a lock with room for more than one holder, itself a workflow. Workflows ask with
 * signal-with-start, are told in order of asking, and release when the provider has finished their
 * job. Its state is its history: a worker or server restart loses no place in line. A holder that
 * stops existing (terminated, reset away) cannot release, so while anyone waits the gate checks
 * that its holders still run and frees what the vanished ones held.
 */
export async function accountGateWorkflow(input: AccountGateInput): Promise<void> {
  const slots = new AccountSlots(input.state);
  const checkHoldersMs = (input.checkHoldersEverySec ?? DEFAULT_CHECK_HOLDERS_SEC) * 1_000;

  /** Claims granted while answering someone else's Update: their holders hear it by signal. */
  const toTell: SlotClaim[] = [];
  const ask = ({ capacity, ...claim }: SlotAsk) => {
    slots.setCapacity(capacity);
    slots.ask(claim);
  };
  onSignal(askAccountSlotSignal, ask);
  setHandler(
    claimAccountSlotUpdate,
    (request) => {
      ask(request);
      toTell.push(...slots.grant().filter((granted) => granted.holder !== request.holder || granted.ticket !== request.ticket));
      return { granted: slots.isHolding(request) };
    },
    { validator: refuseMalformedAsk },
  );
  onSignal(releaseAccountSlotSignal, (claim) => slots.release(claim));
  setHandler(accountGateQuery, () => slots.snapshot());
  const someoneToTell = () => toTell.length > 0;

  for (;;) {
    await tellGranted(slots, [...toTell.splice(0), ...slots.grant()]);
    if (historyIsLong()) break;
    if (slots.idle) {
      if (!(await condition(() => !slots.idle, IDLE_BEFORE_CLOSING))) break;
    } else if (!slots.someoneWaits) {
      await condition(() => slots.someoneWaits || slots.idle || someoneToTell());
    } else if (!(await condition(() => slots.canGrant || someoneToTell(), checkHoldersMs))) {
      await freeSlotsOfVanishedHolders(slots);
    }
  }
  await condition(allHandlersFinished);
  // An ask that arrived while closing is in `slots` by now: it must not be dropped with the run.
  if (slots.idle && !historyIsLong()) return;
  await continueAsNew<typeof accountGateWorkflow>({ ...input, state: slots.snapshot() });
}

function refuseMalformedAsk(request: SlotAsk): void {
  if (typeof request?.holder !== 'string' || typeof request.ticket !== 'string' || typeof request.label !== 'string') {
    throw new Error('a slot claim names its holder workflow, its ticket and a label');
  }
}

/** A grant that cannot be delivered (the holder is gone) is released at once, for the next in line. */
async function tellGranted(slots: AccountSlots, granted: SlotClaim[]): Promise<void> {
  await Promise.all(
    granted.map(async (claim) => {
      try {
        await getExternalWorkflowHandle(claim.holder).signal(accountSlotGrantedSignal, { ticket: claim.ticket });
      } catch (err) {
        log.warn('the holder of an account slot is gone; freeing the slot', { holder: claim.holder, error: String(err) });
        slots.release(claim);
      }
    }),
  );
}

async function freeSlotsOfVanishedHolders(slots: AccountSlots): Promise<void> {
  const holders = slots.holders;
  if (holders.length === 0) return;
  for (const holder of await findClosedWorkflows(holders)) {
    log.warn('an account slot holder stopped without releasing; freeing its slot', { holder });
    slots.releaseHolder(holder);
  }
}

function historyIsLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS;
}
