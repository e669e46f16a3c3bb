/** Resolves on Ctrl-C or a stop signal: how the long-running commands (console, codec server) end. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
