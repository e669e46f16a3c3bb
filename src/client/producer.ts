import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { SequenceRef } from '../contract/activities.js';
import { statusQuery, type SequenceStatus } from '../contract/sequence.js';
import { sequenceWorkflowId } from '../domain/ids.js';
import { runtimeError } from '../domain/cli-error.js';
import { decideOnSequence, type SequenceDecision } from '../review/decisions.js';

/** What a producer looks at: the status query and `recoil status --json` both show it. */
export interface SequenceView {
  sequenceId: string;
  state: string;
  takes: readonly { take: number; videoPath?: string; notes?: readonly unknown[] }[];
  grids: readonly { grid: number; quadrants?: readonly string[] }[];
  failure?: string;
}

export interface ProducerPolicy {
  /** Who the decisions are recorded as. */
  by: string;
  /** The quadrant picked from every start-frame grid. */
  quadrant: number;
  approveNote?: string;
  /** A retake to ask for instead of approving this finished take; approve when undefined. */
  retakeInstead?: (view: SequenceView) => Omit<Extract<SequenceDecision, { kind: 'retake' }>, 'kind'> | undefined;
  /** A note to leave on a finished take (once, before deciding on it), as a reviewer would. */
  noteFirst?: (view: SequenceView) => Omit<Extract<SequenceDecision, { kind: 'note' }>, 'kind' | 'take'> | undefined;
  /** A failed sequence is retaken (e.g. a submission that could not be confirmed); otherwise the producer stops with its failure. */
  retakeFailed?: boolean;
}

export interface ProducerOptions<View extends SequenceView> {
  projectId: string;
  episode: string;
  sequenceIds: readonly string[];
  policy: ProducerPolicy;
  /** Each sequence's current view, in `sequenceIds` order; undefined while it has not started. */
  watch: () => Promise<(View | undefined)[]>;
  /** How a decision reaches the sequence: signals by default, the CLI in the deploy test. */
  send: (ref: SequenceRef, decision: SequenceDecision, by: string) => Promise<void>;
  /** Told after each decision was sent, e.g. to print it. */
  onDecision?: (view: View, decision: SequenceDecision) => void;
  /** Runs after every look at the sequences, e.g. to report progress or disturb the run. */
  everyRound?: (views: (View | undefined)[]) => Promise<void> | void;
  pollMs?: number;
  deadlineMs?: number;
}

/**
 * Stands in for the people on a production: watches the sequences, picks a frame from each grid,
 * approves (or retakes) each finished take once, and returns the views once every sequence is approved.
 */
export async function actAsProducer<View extends SequenceView>(options: ProducerOptions<View>): Promise<View[]> {
  const decided = new Set<string>();
  const deadlineMs = options.deadlineMs ?? 15 * 60_000;
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const views = await options.watch();
    if (views.every((view) => view?.state === 'approved')) return views as View[];
    for (const view of views) {
      if (view) await decideOn(view, options, decided);
    }
    await options.everyRound?.(views);
    if (Date.now() > deadline) throw runtimeError(`not every sequence was approved within ${deadlineMs / 1000} s (${summary(views)}); see \`npx recoil status ${options.projectId}\``);
    await sleep(options.pollMs ?? 250);
  }
}

async function decideOn<View extends SequenceView>(view: View, options: ProducerOptions<View>, decided: Set<string>): Promise<void> {
  const next = nextDecision(view, options.policy);
  if (!next || decided.has(next.key)) return;
  decided.add(next.key);
  await options.send({ projectId: options.projectId, episode: options.episode, sequenceId: view.sequenceId }, next.decision, options.policy.by);
  options.onDecision?.(view, next.decision);
}

/** The one decision a sequence in this view waits for, keyed so that each grid, take or failure is decided once. */
export function nextDecision(view: SequenceView, policy: ProducerPolicy): { key: string; decision: SequenceDecision } | undefined {
  const grid = view.grids.at(-1);
  if (view.state === 'frame_review' && grid) {
    return { key: `${view.sequenceId}:g${grid.grid}`, decision: { kind: 'selectFrame', grid: grid.grid, quadrant: policy.quadrant } };
  }
  const take = view.takes.at(-1);
  if (view.state === 'video_complete' && take) {
    const note = take.notes?.length ? undefined : policy.noteFirst?.(view);
    if (note) return { key: `${view.sequenceId}:t${take.take}:note`, decision: { kind: 'note', take: take.take, ...note } };
    const retake = policy.retakeInstead?.(view);
    const decision: SequenceDecision = retake
      ? { kind: 'retake', ...retake }
      : { kind: 'approve', take: take.take, ...(policy.approveNote ? { note: policy.approveNote } : {}) };
    return { key: `${view.sequenceId}:t${take.take}`, decision };
  }
  if (view.state === 'failed') {
    if (!policy.retakeFailed) throw runtimeError(`${view.sequenceId} failed: ${view.failure ?? 'see `npx recoil status`'}`);
    return { key: `${view.sequenceId}:failed after ${view.takes.length} takes`, decision: { kind: 'retake', note: `after: ${view.failure ?? 'a failure'}` } };
  }
  return undefined;
}

/** A producer talking to Temporal directly: it watches the status query and decides through `sendDecision`. */
export function throughTemporal(client: Client, projectId: string, episode: string, sequenceIds: readonly string[]): Pick<ProducerOptions<SequenceStatus>, 'watch' | 'send'> {
  const handle = (sequenceId: string) => client.workflow.getHandle(sequenceWorkflowId(projectId, episode, sequenceId));
  return {
    watch: () => Promise.all(sequenceIds.map((sequenceId) => handle(sequenceId).query(statusQuery).catch(() => undefined))),
    send: (ref, decision, by) => sendDecision(client, ref, decision, by),
  };
}

/** The producer decides as the CLI does (an Update, or a durable signal when no worker is live); a refusal stops it. */
async function sendDecision(client: Client, ref: SequenceRef, decision: SequenceDecision, by: string): Promise<void> {
  const outcome = await decideOnSequence(client, ref, decision, by);
  if (outcome.kind === 'refused') throw runtimeError(`${ref.sequenceId}: ${decision.kind} refused: ${outcome.reason}`);
}

function summary(views: readonly (SequenceView | undefined)[]): string {
  return views.map((view, i) => (view ? `${view.sequenceId} ${view.state}` : `#${i + 1} not started`)).join(', ');
}
