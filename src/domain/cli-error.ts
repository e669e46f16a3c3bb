/** An error the CLI reports as one clear message (no stack) with its exit code: 2 bad input, 1 run-time failure. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, 2);
export const runtimeError = (message: string) => new CliError(message, 1);
