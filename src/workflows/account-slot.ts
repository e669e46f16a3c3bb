import { CancellationScope, condition, getExternalWorkflowHandle, log, patched, workflowInfo } from '@temporalio/workflow';
import { QUICK_HAND_OVER_PATCH, releaseAccountSlotSignal } from '../contract/account-gate.js';
import type { ProviderName } from '../domain/models.js';
import type { SequenceActivities } from './sequence-activities.js';
import type { SequenceRun } from './sequence-run.js';
import { recordAccountSlotWait } from './workflow-metrics.js';

/** A job's place in its provider account's slots. */
export interface AccountSlotHeld {
  /** Frees the slot; safe to call more than once. */
  release(): Promise<void>;
  /** Where the slot is held; none when the account has no limit. */
  at?: { gate: string; ticket: string };
}

/** A wait shorter than this is not reported: a busy account's next slot usually comes within it. */
const REPORT_WAITS_LONGER_THAN_MS = 2_000;

/**
 * True where the run claims its slots with the gate's Update and does not stop to report between a
 * grant and its submission; runs recorded before 0.6.0 replay the signal and reports they made.
 */
export function handsOverQuickly(): boolean {
  return patched(QUICK_HAND_OVER_PATCH);
}

/**
 * The sequence's side of its provider account's gate: a paid job waits for one of the account's
 * slots (after the episode's own), and gives it back the moment the provider has finished it.
 */
export class AccountSlot {
  private readonly granted = new Set<string>();

  constructor(
    private readonly activities: Pick<SequenceActivities, 'askAccountSlot' | 'claimAccountSlot'>,
    private readonly run: Pick<SequenceRun, 'waitFor'>,
    private readonly report: () => Promise<void>,
  ) {}

  onGranted({ ticket }: { ticket: string }): void {
    this.granted.add(ticket);
  }

  /**
   * Resolves when the account has room for this job, with the way to give the room back; at once,
   * with nothing to give back, when the worker sets no limit for the provider's account.
   */
  async acquire(provider: ProviderName, ticket: string, label: string): Promise<AccountSlotHeld> {
    const quickly = handsOverQuickly();
    const claim = quickly ? await this.activities.claimAccountSlot({ provider, ticket, label }) : await this.askBySignal(provider, ticket, label);
    if (!claim) return { release: async () => undefined };
    if (claim.granted) this.granted.add(ticket);
    const release = releaserOf(claim.gate, ticket);
    try {
      const askedAt = Date.now();
      const what = `the ${provider} account (its jobs in flight are shared by every episode)`;
      if (!this.granted.has(ticket)) await (quickly ? this.waitReportingLongWaits(ticket, what) : this.waitReportingEveryWait(ticket, what));
      recordAccountSlotWait(provider, (Date.now() - askedAt) / 1_000);
    } catch (err) {
      // Cancelled while in line: leave the line, or the place would be granted to nobody.
      await release();
      throw err;
    }
    this.granted.delete(ticket);
    return { release, at: { gate: claim.gate, ticket } };
  }

  private async askBySignal(provider: ProviderName, ticket: string, label: string) {
    const gate = await this.activities.askAccountSlot({ provider, ticket, label });
    return gate ? { gate, granted: false } : undefined;
  }

  /** The grant's own report would hold the submission up by a round trip: the take's start reports it. */
  private async waitReportingLongWaits(ticket: string, what: string): Promise<void> {
    if (await condition(() => this.granted.has(ticket), REPORT_WAITS_LONGER_THAN_MS)) return;
    await this.show(what);
    await condition(() => this.granted.has(ticket));
    this.run.waitFor(undefined);
  }

  private async waitReportingEveryWait(ticket: string, what: string): Promise<void> {
    await this.show(what);
    await condition(() => this.granted.has(ticket));
    await this.show(undefined);
  }

  private async show(what: string | undefined): Promise<void> {
    this.run.waitFor(what);
    await this.report();
  }
}

function releaserOf(gate: string, ticket: string): AccountSlotHeld['release'] {
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
