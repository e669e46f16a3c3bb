import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/** Sets how chatty the Temporal SDK is in this process; must run before any worker or connection. */
export function installRuntime(level: LogLevel): void {
  Runtime.install({ logger: new DefaultLogger(level) });
}
