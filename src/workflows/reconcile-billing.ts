import { getExternalWorkflowHandle, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { takesBilledSignal, type BilledTake, type ReconcileInput, type ReconcileReport, type TakesBilled } from '../contract/billing.js';
import { episodeWorkflowId, sequenceWorkflowId } from '../domain/ids.js';

// A reading that keeps failing gives way to the next one (the Schedule runs every 15 minutes).
const { reconcileBilling } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 4 },
});

/**
 * Reconciles Recoil's spend with fal's bill (docs/money.md): the activity writes fal's billed
 * costs into take.json and keeps the unclaimed charges; this workflow then tells every episode and
 * sequence still running what their takes cost, so their budgets count fal's figures. Run by the
 * `recoil-reconcile` Schedule and by `recoil reconcile`.
 */
export async function reconcileBillingWorkflow(input: ReconcileInput = {}): Promise<ReconcileReport> {
  const report = await reconcileBilling({ ...input, startedAt: workflowInfo().runStartTime.toISOString() });
  await Promise.all(byEpisode(report.reconciled).map(tellEpisode));
  return report;
}

interface EpisodeBills {
  projectId: string;
  episode: string;
  takes: TakesBilled['takes'];
}

function byEpisode(reconciled: readonly BilledTake[]): EpisodeBills[] {
  const groups = new Map<string, EpisodeBills>();
  for (const t of reconciled) {
    const key = `${t.projectId}/${t.episode}`;
    const group = groups.get(key) ?? { projectId: t.projectId, episode: t.episode, takes: [] };
    group.takes.push({ sequenceId: t.sequenceId, take: t.take, usd: t.billing.usd });
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** An episode or sequence that has ended has nothing left to count: its signal is not needed. */
async function tellEpisode({ projectId, episode, takes }: EpisodeBills): Promise<void> {
  const ignoreClosed = () => undefined;
  const sequences = [...new Set(takes.map((t) => t.sequenceId))];
  await Promise.all([
    getExternalWorkflowHandle(episodeWorkflowId(projectId, episode)).signal(takesBilledSignal, { takes }).catch(ignoreClosed),
    ...sequences.map((sequenceId) =>
      getExternalWorkflowHandle(sequenceWorkflowId(projectId, episode, sequenceId))
        .signal(takesBilledSignal, { takes: takes.filter((t) => t.sequenceId === sequenceId) })
        .catch(ignoreClosed),
    ),
  ]);
}
