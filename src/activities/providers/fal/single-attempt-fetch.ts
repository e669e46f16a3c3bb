import { ApiError, ValidationError } from '@fal-ai/client';

/**
 * What went wrong with the one request a single-attempt fetch sent. It deliberately has no `cause`:
 * the SDK walks the cause chain for transport error codes and would retry on finding one.
 */
class SingleAttemptFailed extends Error {
  constructor(readonly original: unknown) {
    super('the single attempt at this fal request failed');
    this.name = 'SingleAttemptFailed';
  }
}

/**
 * A fetch for submissions, which fal cannot deduplicate (no idempotency key). The SDK retries a
 * submit by itself on 429/502/503/504 and on transport errors, and a 502 whose
 * request did reach fal, retried, is a second paid video. Any failure is thrown in a shape the SDK
 * will not retry, so exactly one request goes out per submit and the caller judges that one.
 */
export function singleAttemptFetch(fetchFn: typeof fetch): typeof fetch {
  return async (input, init) => {
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await fetchFn(input, init);
      // The body too: a connection cut while the SDK read it would be retried as a network error.
      body = await response.arrayBuffer();
    } catch (err) {
      throw new SingleAttemptFailed(err);
    }
    const bodyless = [101, 204, 205, 304].includes(response.status);
    const read = new Response(bodyless ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    if (read.ok) return read;
    throw new SingleAttemptFailed(await apiErrorOf(read));
  };
}

/** The error the SDK's own response handler would have raised for this response. */
async function apiErrorOf(response: Response): Promise<ApiError<unknown>> {
  const { status, statusText } = response;
  const requestId = response.headers.get('x-fal-request-id') ?? undefined;
  if ((response.headers.get('content-type') ?? '').includes('application/json')) {
    const body = (await response.json().catch(() => undefined)) as { message?: string } | undefined;
    const ErrorType = status === 422 ? ValidationError : ApiError;
    return new ErrorType({ message: body?.message || statusText, status, body, requestId });
  }
  return new ApiError({ message: `HTTP ${status}: ${statusText}`, status, requestId });
}

/** The failure of the request itself, whether or not it came through a single-attempt fetch. */
export function attemptFailure(err: unknown): unknown {
  return err instanceof SingleAttemptFailed ? err.original : err;
}
