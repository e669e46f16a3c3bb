import { ApplicationFailure } from '@temporalio/activity';
import { expect } from 'vitest';

/** Awaits a call that must fail with an ApplicationFailure whose message and details never quote `secret`. */
export async function failureOf(promise: Promise<unknown>, secret: string): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(`${failure.message} ${JSON.stringify(failure.details ?? [])}`).not.toContain(secret);
  return failure;
}
