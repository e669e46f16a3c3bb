import { CancellationScope, condition, getExternalWorkflowHandle, log, type SignalDefinition } from '@temporalio/workflow';
import type { GenerationRequest } from '../domain/generation-ledger.js';
import type { GeneratingStage } from '../domain/state-machine.js';
import { requestGenerationSignal, sequenceProgressSignal, settleGenerationSignal, type SequenceProgress } from '../contract/episode.js';
import type { GenerationTicket, GenerationWait } from '../contract/sequence.js';
import type { SequenceRun } from './sequence-run.js';

const ticketKey = (t: GenerationTicket) => `${t.kind}/${t.number}`;

/**
 * The sequence's side of the episode's authority over slots and budget: ask before every paid
 * call, wait (visibly) until granted, settle with the actual cost afterwards.
 */
export class EpisodeLink {
  private readonly granted = new Set<string>();
  private readonly waits = new Map<string, GenerationWait>();
  /** Asked and not granted yet, then granted and not settled yet: what a new episode run must hear again. */
  private readonly asking = new Map<string, GenerationRequest>();
  private readonly holding = new Map<string, GenerationRequest>();
  /** The progress the episode last heard; a new episode run has heard nothing. */
  private lastTold: string | undefined;

  constructor(
    private episodeId: string | undefined,
    private readonly sequenceId: string,
    private readonly run: SequenceRun,
    private readonly onChange: () => Promise<void>,
  ) {}

  /**
   * A new run of the episode adopted this sequence: its slots and budget are asked from there now.
   * The new run knows nothing yet, so it hears again what this sequence holds and what it waits for.
   */
  async attach(episodeWorkflowId: string): Promise<void> {
    this.episodeId = episodeWorkflowId;
    this.waits.clear();
    this.lastTold = undefined;
    for (const held of this.holding.values()) await this.signal(requestGenerationSignal, { ...held, alreadyGranted: true });
    for (const asked of this.asking.values()) await this.signal(requestGenerationSignal, asked);
  }

  /** The episode run this sequence answers to now, if any. */
  get episodeWorkflowId(): string | undefined {
    return this.episodeId;
  }

  onGranted(ticket: GenerationTicket): void {
    this.granted.add(ticketKey(ticket));
  }

  onWaiting(wait: GenerationWait): void {
    this.waits.set(ticketKey(wait), wait);
  }

  /**
   * Resolves once the episode grants the call (reported, unless the caller reports its next step
   * at once: a report is a round trip through the server); false when no episode can be reached, so the
   * caller decides whether it may go ahead alone (free work) or must not (paid work).
   */
  async acquire(kind: GenerationRequest['kind'], number: number, estimateUsd: number, stage: GeneratingStage, { reportGrant = true } = {}): Promise<boolean> {
    if (!this.episodeId) return false;
    const key = ticketKey({ kind, number });
    const request: GenerationRequest = { sequenceId: this.sequenceId, kind, number, estimateUsd };
    this.asking.set(key, request);
    const delivered = await this.signal(requestGenerationSignal, request);
    if (!delivered) {
      this.asking.delete(key);
      return false;
    }
    let seen: GenerationWait | undefined;
    while (!this.granted.has(key)) {
      await condition(() => this.granted.has(key) || this.waits.get(key) !== seen);
      seen = this.waits.get(key);
      if (!this.granted.has(key) && seen) {
        this.showWait(seen);
        await this.onChange();
      }
    }
    this.granted.delete(key);
    this.waits.delete(key);
    this.asking.delete(key);
    this.holding.set(key, request);
    this.run.budgetGranted(stage);
    if (reportGrant) await this.onChange();
    return true;
  }

  async settle(kind: GenerationRequest['kind'], number: number, actualUsd: number): Promise<void> {
    this.holding.delete(ticketKey({ kind, number }));
    if (!this.episodeId) return;
    await CancellationScope.nonCancellable(() => this.signal(settleGenerationSignal, { sequenceId: this.sequenceId, kind, number, actualUsd }));
  }

  /**
   * Tells the episode the sequence's progress; with `onlyChanges`, only progress it has not heard
   * yet: most reports change what the sequence shows, not what the episode counts, and every signal
   * is a workflow task of the episode's, which every slot hand-over waits behind.
   */
  async report(progress: SequenceProgress, { onlyChanges = false } = {}): Promise<void> {
    if (!this.episodeId) return;
    const told = JSON.stringify(progress);
    if (onlyChanges && told === this.lastTold) return;
    this.lastTold = told;
    if (!(await this.signal(sequenceProgressSignal, progress))) this.lastTold = undefined;
  }

  private showWait(wait: GenerationWait): void {
    if (wait.reason === 'refused') {
      this.run.waitFor(`the episode refused the ${wait.kind} ${wait.number}: ${wait.why ?? 'no reason given'} — it waits; cancelling the sequence settles the episode`);
    } else if (wait.reason === 'budget') {
      const left = wait.leftUsd === undefined ? '' : `, $${wait.leftUsd.toFixed(2)} left`;
      this.run.waitForBudget(`budget: the next ${wait.kind} needs ~$${wait.estimateUsd.toFixed(2)}${left} — raise it with \`npx recoil budget\``);
    } else {
      this.run.waitFor('a generation slot (the episode limits how many sequences generate at once)');
    }
  }

  /** False when the episode is gone (e.g. finished), so the sequence knows it is on its own. */
  private async signal<T>(signal: SignalDefinition<[T]>, arg: T): Promise<boolean> {
    try {
      await getExternalWorkflowHandle(this.episodeId!).signal(signal, arg);
      return true;
    } catch (err) {
      log.info('episode not reachable', { episodeId: this.episodeId, error: String(err) });
      return false;
    }
  }
}
