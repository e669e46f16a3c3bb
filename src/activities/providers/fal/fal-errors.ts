import { ApiError, ValidationError, type ValidationErrorInfo } from '@fal-ai/client';
import { ApplicationFailure } from '@temporalio/activity';
import { neverReachedServer } from '../never-reached.js';

const CONTENT_POLICY = 'content_policy_violation';

/**
 * Turns whatever a fal call threw into a failure a producer can act on, and tells Temporal whether
 * trying again can help. Messages quote only fal's own explanation, with the key scrubbed from it,
 * because failures are recorded in workflow history and shown in the UI and CLI.
 */
export function toFalFailure(err: unknown, secret: string): Error {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ValidationError) return fromValidationError(err, secret);
  if (err instanceof ApiError) return fromApiError(err, secret);
  if (isTransportError(err)) return providerUnavailable(`could not reach fal (${transportReason(err)})`, secret);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * True when fal certainly did not accept a submission: it answered with a refusal (4xx, 429, 503)
 * or was never reached. A 500, 502 or 504, or a connection cut mid-request, may come after fal
 * queued the job: unknown, so the take stops for a person rather than risk paying twice.
 */
export function submissionCertainlyRefused(err: unknown): boolean {
  if (err instanceof ApiError) return err.status < 500 || err.status === 503;
  if (isTransportError(err)) return neverReachedServer(err);
  return false;
}

/** Retryable: nothing was paid for, or the paid job can be resumed by its request id. */
export function providerUnavailable(message: string, secret = ''): ApplicationFailure {
  return ApplicationFailure.retryable(scrub(message, secret), 'ProviderUnavailable');
}

function fromValidationError(err: ValidationError, secret: string): ApplicationFailure {
  const errors = err.fieldErrors;
  const refusal = errors.find((e) => e.type === CONTENT_POLICY);
  if (refusal) {
    return ApplicationFailure.nonRetryable(
      scrub(`the provider refused the content: ${refusal.msg} — change the prompt and retake`, secret),
      'ContentPolicy',
    );
  }
  const fields = errors.length > 0 ? errors.map(describeFieldError).join('; ') : reasonOf(err);
  return ApplicationFailure.nonRetryable(scrub(`fal rejected the request: ${fields} — fix the plan and retake`, secret), 'InvalidInput');
}

function fromApiError(err: ApiError<unknown>, secret: string): ApplicationFailure {
  const { status } = err;
  if (status === 401 || status === 403) {
    return ApplicationFailure.nonRetryable('fal rejected the credentials: check FAL_KEY in the worker environment', 'Auth');
  }
  const what = `HTTP ${status}: ${reasonOf(err)}`;
  // Temporal retries these, with backoff; a submission only when fal certainly did not take it.
  if (status === 429 || status >= 500) return providerUnavailable(`fal is busy or unavailable (${what})`, secret);
  return ApplicationFailure.nonRetryable(scrub(`fal refused the request (${what})`, secret), 'ProviderRejected');
}

/** `['body', 'multi_prompt', 0, 'duration']` → `multi_prompt[0].duration: <msg>`, the way the plan author reads it. */
function describeFieldError(error: ValidationErrorInfo): string {
  const path = error.loc
    .filter((part, i) => !(i === 0 && part === 'body'))
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
  return `${path || 'the request'}: ${error.msg}`;
}

/** fal puts the human text in `detail` (a string) for non-validation errors. */
function reasonOf(err: ApiError<unknown>): string {
  const detail = (err.body as { detail?: unknown } | undefined)?.detail;
  return typeof detail === 'string' ? detail : err.message;
}

/** Node's fetch wraps every connection-level failure in `TypeError('fetch failed')`; a body cut off mid-stream is 'terminated'. */
function isTransportError(err: unknown): err is TypeError {
  return err instanceof TypeError && /^(fetch failed|terminated)$/.test(err.message);
}

function transportReason(err: TypeError): string {
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : err.message;
}

function scrub(message: string, secret: string): string {
  return secret ? message.split(secret).join('[FAL_KEY]') : message;
}
