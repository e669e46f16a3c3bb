import { rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import type { RunningConsole } from '../../src/console/server.js';
import type { Harness } from './harness.js';
import { removeFixtures } from './project-fixture.js';

/** A browser test's stack, stopped in the reverse order it was started, and its files removed. */
export async function stopConsoleStack(stack: { browser?: Browser; console?: RunningConsole; harness?: Harness }): Promise<void> {
  await stack.browser?.close();
  await stack.console?.close();
  await stack.harness?.stop();
  if (stack.harness) await rm(stack.harness.artifactsRoot, { recursive: true, force: true });
  await removeFixtures();
}
