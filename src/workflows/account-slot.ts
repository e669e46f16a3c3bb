import { CancellationScope, condition, getExternalWorkflowHandle, log, workflowInfo } from '@temporalio/workflow';
import { releaseAccountSlotSignal } from '../contract/account-gate.js';
import type { ProviderName } from '../domain/models.js';
import type { SequenceActivities } from './sequence-activities.js';
import { recordAccountSlotWait } from './workflow-metrics.js';

/** Frees the account slot; safe to call more than once. */
export type ReleaseAccountSlot = () => Promise<void>;

/**
 * The sequence's side of its provider account's gate: a paid job waits for one of the account's
 * slots (after the episode's own), and gives it back the moment the provider has finished it.
 */
export class AccountSlot {
  private readonly granted = new Set<string>();

  constructor(
    private readonly activities: Pick<SequenceActivities, 'askAccountSlot'>,
    private readonly onWait: (what: string | undefined) => Promise<void>,
  ) {}

  onGranted({ ticket }: { ticket: string }): void {
    this.granted.add(ticket);
  }

  /**
   * Resolves when the account has room for this job, with the way to give the room back; at once,
   * with nothing to give back, when the worker sets no limit for the provider's account.
   */
  async acquire(provider: ProviderName, ticket: string, label: string): Promise<ReleaseAccountSlot> {
    const gate = await this.activities.askAccountSlot({ provider, ticket, label });
    if (!gate) return async () => undefined;
    const release = releaserOf(gate, ticket);
    try {
      const askedAt = Date.now();
      if (!this.granted.has(ticket)) {
        await this.onWait(`the ${provider} account (its jobs in flight are shared by every episode)`);
        await condition(() => this.granted.has(ticket));
        await this.onWait(undefined);
      }
      recordAccountSlotWait(provider, (Date.now() - askedAt) / 1_000);
    } catch (err) {
      // Cancelled while in line: leave the line, or the place would be granted to nobody.
      await release();
      throw err;
    }
    this.granted.delete(ticket);
    return release;
  }
}

function releaserOf(gate: string, ticket: string): ReleaseAccountSlot {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await CancellationScope.nonCancellable(async () => {
      try {
        await getExternalWorkflowHandle(gate).signal(releaseAccountSlotSignal, { holder: workflowInfo().workflowId, ticket });
      } catch (err) {
        // A gate that is gone holds nothing: the next one starts empty.
        log.info('account gate not reachable to release a slot', { gate, error: String(err) });
      }
    });
  };
}
