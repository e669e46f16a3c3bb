import type { WorkerOptions } from '@temporalio/worker';

/** RECOIL_WORKFLOW_BUNDLE: a prebuilt workflow bundle (production images, tests) instead of bundling at start. */
export function workflowBundleFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerOptions['workflowBundle'] | undefined {
  return env.RECOIL_WORKFLOW_BUNDLE ? { codePath: env.RECOIL_WORKFLOW_BUNDLE } : undefined;
}
