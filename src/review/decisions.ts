import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/client';
import type { SequenceRef } from '../contract/activities.js';
import { redeliverSignal, redeliverUpdate, setBudgetSignal, setBudgetUpdate } from '../contract/episode.js';
import {
  approveSignal,
  decisionRefusedSignal,
  approveUpdate,
  noteSignal,
  noteUpdate,
  regenerateFramesSignal,
  regenerateFramesUpdate,
  retakeSignal,
  retakeUpdate,
  selectFrameSignal,
  selectFrameUpdate,
  settleSubmissionSignal,
  settleSubmissionUpdate,
  statusQuery,
  type SubmissionAction,
} from '../contract/sequence.js';
import { episodeWorkflowId, sequenceWorkflowId } from '../domain/ids.js';
import type { NoteInput } from '../domain/note-schema.js';
import { usageError } from '../domain/cli-error.js';
import { hasLiveWorker, NO_WORKER_HINT } from './worker-presence.js';

/** A person's decision on a sequence, as the CLI and the console take it. */
export type SequenceDecision =
  | { kind: 'approve'; take: number; note?: string }
  | { kind: 'retake'; note: string; shots?: Record<string, string> }
  /** A quadrant of a grid, or (`previous`) the previous sequence's approved last frame. */
  | { kind: 'selectFrame'; grid?: number; quadrant?: number; previous?: boolean }
  | { kind: 'regenerateFrames'; prompt?: string; note?: string }
  /** A take whose cut-off submission waits for a person: adopt fal's job, submit again, or give up. */
  | { kind: 'settleSubmission'; take: number; action: SubmissionAction; providerRequestId?: string }
  /** A note pinned to a frame or range of a finished take, with an optional drawing. */
  | ({ kind: 'note' } & NoteInput);

export type DecisionOutcome =
  /** The workflow took it: `detail` says what it did. */
  | { kind: 'accepted'; requestId: string; detail: string }
  /** The workflow's rules refused it; nothing changed. */
  | { kind: 'refused'; requestId: string; reason: string }
  /** No worker is live: it is recorded durably and is applied or refused when one comes back. */
  | { kind: 'recorded'; requestId: string; message: string };

/** How long a live worker gets to answer before the decision is left to the durable signal. */
const ANSWER_WITHIN_MS = 20_000;

/**
 * Sends a decision to a sequence: as a Workflow Update when a worker is live (answered at once),
 * else as a signal. Both carry the same request id, so a decision counts once even if both arrive.
 */
export async function decideOnSequence(client: Client, ref: SequenceRef, decision: SequenceDecision, by: string): Promise<DecisionOutcome> {
  const handle = client.workflow.getHandle(sequenceWorkflowId(ref.projectId, ref.episode, ref.sequenceId));
  const target = { client, handle, what: `sequence ${ref.projectId}/${ref.episode}/${ref.sequenceId}`, projectId: ref.projectId };
  const common = { by, requestId: newRequestId() };
  const listRefusal = (reason: string) => handle.signal(decisionRefusedSignal, { requestId: common.requestId, decision: decision.kind, by, reason });
  switch (decision.kind) {
    case 'approve':
      return deliver(target, approveSignal, approveUpdate, { ...common, take: decision.take, ...optional('note', decision.note) }, listRefusal);
    case 'retake':
      return deliver(target, retakeSignal, retakeUpdate, { ...common, note: decision.note, ...optional('shots', decision.shots) }, listRefusal);
    case 'selectFrame':
      return deliver(
        target,
        selectFrameSignal,
        selectFrameUpdate,
        decision.previous ? { ...common, previous: true } : { ...common, ...optional('quadrant', decision.quadrant), ...optional('grid', decision.grid) },
        listRefusal,
      );
    case 'regenerateFrames':
      return deliver(target, regenerateFramesSignal, regenerateFramesUpdate, { ...common, ...optional('prompt', decision.prompt), ...optional('note', decision.note) }, listRefusal);
    case 'note': {
      const { kind: _kind, ...note } = decision;
      return deliver(target, noteSignal, noteUpdate, { ...common, ...note }, listRefusal);
    }
    case 'settleSubmission': {
      const request = { ...common, take: decision.take, action: decision.action, ...optional('providerRequestId', decision.providerRequestId) };
      const outcome = await deliver(target, settleSubmissionSignal, settleSubmissionUpdate, request, listRefusal);
      return outcome.kind === 'accepted' && decision.action === 'adopt' ? followAdoption(handle, decision.take, decision.providerRequestId ?? '', outcome) : outcome;
    }
  }
}

/** How long an accepted adoption is followed until the take has the job or is asked again. */
const FOLLOW_ADOPTION_MS = 20_000;

/**
 * The Update only records the answer; whether the named job can be this take's is found by the
 * worker afterwards (another take may hold it). Follows the sequence until the take has the job or
 * the question comes back with the reason, so whoever asked hears the real outcome. Any question
 * seen after the Update was accepted is a new one: accepting it cleared the old one.
 */
async function followAdoption(handle: WorkflowHandle, take: number, providerRequestId: string, accepted: DecisionOutcome & { kind: 'accepted' }): Promise<DecisionOutcome> {
  const deadline = Date.now() + FOLLOW_ADOPTION_MS;
  while (Date.now() < deadline) {
    const status = await handle.query(statusQuery).catch(() => undefined);
    if (status?.takes.some((t) => t.take === take && t.requestId === providerRequestId)) return accepted;
    const question = status?.submissionQuestion;
    if (question?.take === take) return { kind: 'refused', requestId: accepted.requestId, reason: `${question.reason}; take ${take} still waits for a decision` };
    if (status && !status.takes.some((t) => t.take === take && t.state === 'generating')) return accepted;
    await sleep(250);
  }
  return { ...accepted, detail: `${accepted.detail}; the worker is still adopting it: \`npx recoil status\` shows whether it held` };
}

/** Sets an episode's budget, the same way as a decision on a sequence. */
export async function changeEpisodeBudget(client: Client, ref: Pick<SequenceRef, 'projectId' | 'episode'>, budgetUsd: number, by: string): Promise<DecisionOutcome> {
  const handle = client.workflow.getHandle(episodeWorkflowId(ref.projectId, ref.episode));
  const target = { client, handle, what: `episode ${ref.projectId}/${ref.episode}`, projectId: ref.projectId };
  const described = (record: { budgetUsd: number }) => `budget set to $${record.budgetUsd.toFixed(2)}`;
  return deliver(target, setBudgetSignal, setBudgetUpdate, { budgetUsd, by, requestId: newRequestId() }, undefined, described);
}

/**
 * Asks an episode whose delivery was refused to deliver again, once the cause is fixed; refused
 * unless the episode is `delivery_blocked`.
 */
export async function redeliverEpisode(client: Client, ref: Pick<SequenceRef, 'projectId' | 'episode'>, by: string): Promise<DecisionOutcome> {
  const handle = client.workflow.getHandle(episodeWorkflowId(ref.projectId, ref.episode));
  const target = { client, handle, what: `episode ${ref.projectId}/${ref.episode}`, projectId: ref.projectId };
  return deliver(target, redeliverSignal, redeliverUpdate, { by, requestId: newRequestId() });
}

interface Target {
  client: Client;
  handle: WorkflowHandle;
  what: string;
  projectId: string;
}

async function deliver<Request extends { requestId?: string }, Answer>(
  { client, handle, what, projectId }: Target,
  signal: SignalDefinition<[Request]>,
  update: UpdateDefinition<Answer, [Request]>,
  request: Request & { requestId: string },
  /** Lists a refusal where the workflow keeps its decisions; best effort, the asker has the answer already. */
  listRefusal?: (reason: string) => Promise<void>,
  describeAnswer: (answer: Answer) => string = (answer) => (answer as { detail: string }).detail,
): Promise<DecisionOutcome> {
  const { requestId } = request;
  const description = await handle.describe().catch(() => undefined);
  if (!description) throw usageError(`there is no ${what}: check the ids with \`npx recoil status ${projectId}\``);
  if (description.status.name !== 'RUNNING') throw closedRefusal(what, description.status.name);

  if (await hasLiveWorker(client, description.taskQueue)) {
    try {
      const answer = await client.connection.withDeadline(Date.now() + ANSWER_WITHIN_MS, () => handle.executeUpdate(update, { args: [request], updateId: requestId }));
      return { kind: 'accepted', requestId, detail: describeAnswer(answer) };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const reason = innermostMessage(err);
        await listRefusal?.(reason).catch(() => undefined);
        return { kind: 'refused', requestId, reason };
      }
      // No answer in time (the worker may have just stopped): the signal below makes it durable,
      // and the shared request id keeps it from counting twice.
    }
  }
  try {
    await handle.signal(signal, request);
  } catch (err) {
    // Another person's decision may have closed the workflow a moment ago: that is their answer.
    const status = (await handle.describe().catch(() => undefined))?.status.name;
    if (status && status !== 'RUNNING') throw closedRefusal(what, status);
    throw err;
  }
  return { kind: 'recorded', requestId, message: `it is applied or refused when a worker comes back (${NO_WORKER_HINT}); \`npx recoil status\` shows which` };
}

function closedRefusal(what: string, status: string): Error {
  return usageError(`${what} is closed (${status.toLowerCase()}): nothing to change`);
}

function newRequestId(): string {
  return `r-${randomUUID().slice(0, 8)}`;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function innermostMessage(err: Error): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(cause);
}
