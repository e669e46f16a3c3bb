import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { RECONCILE_EVERY, RECONCILE_SCHEDULE_ID, type ReconcileInput } from '../contract/billing.js';

export const RECONCILE_WORKFLOW = 'reconcileBillingWorkflow';

/**
 * The Schedule that reconciles spend with fal's bill every 15 minutes (`recoil-reconcile`). Made
 * once, the first time an episode starts on fal; a reading still running when the next is due is
 * not doubled, and readings missed while the server was down are not made up one by one.
 */
export async function ensureReconcileSchedule(client: Client, taskQueue: string): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: RECONCILE_SCHEDULE_ID,
      spec: { intervals: [{ every: RECONCILE_EVERY }] },
      action: { type: 'startWorkflow', workflowType: RECONCILE_WORKFLOW, args: [{} satisfies ReconcileInput], taskQueue, workflowId: RECONCILE_SCHEDULE_ID },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '15 minutes' },
      memo: { purpose: "reads fal's billing records: each take's billed cost, unclaimed charges, price differences" },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
