import { ApplicationFailure, condition, isCancellation, sleep } from '@temporalio/workflow';
import { UNKNOWN_SUBMISSION, type PaidCallFailureDetails, type SettlementOutcome, type SubmittedTake, type TakeRequest } from '../contract/activities.js';
import type { SettleSubmissionRequest } from '../contract/sequence.js';
import { failureMessage } from './failure-message.js';
import type { SequenceContext } from './sequence-context.js';
import { countAmbiguousSubmission } from './workflow-metrics.js';

const DEFAULT_RECORDS_CHECK_EVERY_SEC = 30;

/**
 * Submits a take exactly once as far as money goes. A submission cut off before its request id
 * came back is settled from fal's billing records: the billed job that can only be this take's is
 * adopted; a job fal never ran is submitted again, once; anything the records do not decide waits
 * for a person (adopt a request id, submit again, give up), never for a retake. docs/money.md.
 */
export async function submitTakeOnce(ctx: SequenceContext, request: TakeRequest): Promise<SubmittedTake> {
  let attempt = request;
  let resubmittedByRecords = false;
  for (;;) {
    try {
      return await ctx.activities.submitTake(attempt);
    } catch (err) {
      if (!isCutOff(err)) throw err;
    }
    const outcome = await settleFromRecords(ctx, request);
    if (outcome.kind === 'adopt') return { requestId: outcome.requestId, folder: outcome.folder };
    if (outcome.kind === 'never_ran' && !resubmittedByRecords) {
      resubmittedByRecords = true;
      attempt = { ...request, resubmit: { why: outcome.detail } };
      continue;
    }
    const why = outcome.kind === 'never_ran' ? `it was cut off again after one automatic resubmission (${outcome.detail})` : outcome.detail;
    const answer = await askAPerson(ctx, request, why);
    if ('requestId' in answer) return answer;
    attempt = { ...request, resubmit: { why: `${answer.by} asked to submit it again` } };
  }
}

function isCutOff(err: unknown): boolean {
  if (isCancellation(err)) return false;
  let cause = err;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
  return cause instanceof ApplicationFailure && cause.type === UNKNOWN_SUBMISSION;
}

/** Reads fal's records until they decide, showing what it waits for in status and the Web UI. */
async function settleFromRecords(ctx: SequenceContext, request: TakeRequest): Promise<Exclude<SettlementOutcome, { kind: 'wait' }>> {
  const cutOffAt = new Date().toISOString();
  countAmbiguousSubmission(request.provider);
  const every = (ctx.input.recordsCheckEverySec ?? DEFAULT_RECORDS_CHECK_EVERY_SEC) * 1_000;
  for (;;) {
    const outcome = await ctx.activities.settleCutOffSubmission({ ...request, cutOffAt });
    if (outcome.kind !== 'wait') {
      ctx.run.waitFor(undefined);
      return outcome;
    }
    ctx.run.waitFor(`fal's records, to settle take ${request.take}, whose submission was cut off: ${outcome.detail}`);
    await ctx.report();
    await sleep(every);
  }
}

/**
 * Waits for a person's answer and carries it out: the adopted job, or the resubmission they asked
 * for. Giving up fails the take, counted at its estimate (fal may have run it).
 */
async function askAPerson(ctx: SequenceContext, request: TakeRequest, reason: string): Promise<SubmittedTake | { by: string }> {
  const { run } = ctx;
  for (let question = reason; ; ) {
    run.askAboutSubmission({ take: request.take, reason: question });
    await ctx.report();
    await condition(() => run.hasSubmissionAnswer);
    const answer: SettleSubmissionRequest = run.takeSubmissionAnswer()!;
    await ctx.report();
    if (answer.action === 'resubmit') return { by: answer.by };
    if (answer.action === 'give_up') throw gaveUp(request.take, answer.by, reason);
    try {
      return await ctx.activities.adoptProviderJob({ ...request, providerRequestId: answer.providerRequestId!, by: answer.by });
    } catch (err) {
      if (isCancellation(err)) throw err;
      question = `${answer.by}'s pick could not be adopted: ${failureMessage(err)}`;
    }
  }
}

function gaveUp(take: number, by: string, reason: string): ApplicationFailure {
  const billing: PaidCallFailureDetails = { billing: 'may_have_charged' };
  return ApplicationFailure.create({
    message: `${by} gave up take ${take}, whose submission was cut off (${reason}); it counts at its estimate, as fal may have run it`,
    type: 'SubmissionGivenUp',
    nonRetryable: true,
    details: [billing],
  });
}
