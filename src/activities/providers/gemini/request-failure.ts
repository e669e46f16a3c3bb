import { ApiError } from '@google/genai';
import { ApplicationFailure } from '@temporalio/activity';
import { neverReachedServer } from '../never-reached.js';
import { markNotAccepted } from '../provider.js';

export const API_KEY_HINT = 'check GEMINI_API_KEY in the worker environment';

/** Google's error envelope, which the SDK puts, stringified, in ApiError.message. */
interface ErrorEnvelope {
  error?: { code?: number; message?: string; status?: string; details?: { reason?: string }[] };
}

/**
 * Turns a failed generateContent call into the failure the workflow acts on. Only rate limits,
 * server errors and transport trouble retry: everything else would fail the same way again.
 * An answer with an error status is not billed, so asking again cannot pay twice: those failures
 * are marked not accepted. A connection lost mid-call is not marked: the image may have been made.
 * The key is scrubbed from whatever upstream text is quoted, however unlikely it is to be there.
 */
export function requestFailure(err: unknown, model: string, apiKey: string): ApplicationFailure {
  if (!(err instanceof ApiError)) {
    const failure = ApplicationFailure.retryable(redactKey(`Could not reach Gemini: ${errorText(err)}`, apiKey), 'ProviderUnavailable');
    return neverReachedServer(err) ? markNotAccepted(failure) : failure;
  }
  return markNotAccepted(answeredFailure(err, model, apiKey));
}

function answeredFailure(err: ApiError, model: string, apiKey: string): ApplicationFailure {
  const redact = (text: string) => redactKey(text, apiKey);
  const envelope = parseEnvelope(err.message);
  const said = redact(`${envelope?.status ?? `HTTP ${err.status}`}: ${envelope?.message ?? err.message}`);
  // A wrong key comes back as 400 INVALID_ARGUMENT; only the reason tells it from a bad request.
  const keyRejected = envelope?.details?.some((d) => d.reason === 'API_KEY_INVALID') ?? false;
  if (err.status === 401 || err.status === 403 || keyRejected) {
    return ApplicationFailure.nonRetryable(`Gemini refused the credentials (${said}): ${API_KEY_HINT}`, 'Auth');
  }
  if (err.status === 404) {
    return ApplicationFailure.nonRetryable(
      `Gemini has no model "${model}" for image generation (${said}): check the gemini-grid model id in the configuration`,
      'InvalidInput',
    );
  }
  if (err.status === 429 || err.status >= 500) {
    return ApplicationFailure.retryable(`Gemini is unavailable for now (${said})`, 'ProviderUnavailable');
  }
  return ApplicationFailure.nonRetryable(`Gemini rejected the grid request (${said})`, 'InvalidInput');
}

function redactKey(text: string, apiKey: string): string {
  return apiKey ? text.replaceAll(apiKey, '[redacted]') : text;
}

function parseEnvelope(message: string): ErrorEnvelope['error'] {
  try {
    return (JSON.parse(message) as ErrorEnvelope).error;
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch hides the useful part (ECONNREFUSED, a TLS error) in the cause.
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}
