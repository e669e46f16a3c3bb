import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, Connection } from '@temporalio/client';
import pc from 'picocolors';
import { buildDelivery } from '../../activities/delivery/build-delivery.js';
import { DeliveryRefused } from '../../activities/delivery/delivery-refused.js';
import { episodeStatusQuery, type EpisodeStatus } from '../../contract/episode.js';
import { versionName } from '../../domain/editorial/cut.js';
import { episodeWorkflowId } from '../../domain/ids.js';
import { storeFromEnv } from '../../store/store-from-env.js';
import { CliError, runtimeError } from '../../domain/cli-error.js';
import { connectClient } from '../connect.js';
import { redeliverEpisode } from '../../review/decisions.js';
import { defaultActor } from '../identity.js';
import { loadEpisodeOrExit } from '../load-or-exit.js';
import { reportOutcome } from '../report-outcome.js';

/** How long `recoil deliver` waits for the episode's new attempt before leaving it to `status`. */
const OUTCOME_WITHIN_MS = 5 * 60_000;

export function registerDeliver(program: Command): void {
  program
    .command('deliver')
    .description(COMMAND_SUMMARIES['deliver'])
    .argument('<project-dir>', 'the client project folder (its plan gives the order of the cut)')
    .argument('<episode>', 'the episode, e.g. EP001')
    .option('--by <name>', 'who asks, when the running episode\'s delivery is blocked', defaultActor())
    .action(async (projectDir: string, episode: string, opts: { by: string }) => {
      const { project, units } = await loadEpisodeOrExit(projectDir, episode);
      if (await redeliverIfBlocked(project.id, episode, opts.by)) return;
      const selection = { projectId: project.id, episode, sequences: units.map((u) => ({ sequenceId: u.sequenceId })) };
      const result = await buildDelivery(storeFromEnv(), selection).catch((err: unknown) => {
        if (err instanceof DeliveryRefused) throw new CliError(err.message, err.refusal === 'unwritable' ? 1 : 2);
        throw err;
      });
      const version = versionName(result.version);
      console.log(
        result.created
          ? `${pc.green('✓')} delivered ${project.id} ${episode} ${version}: ${result.dir}`
          : `${pc.cyan('●')} no new version: ${version} already holds these approved takes (${result.dir})`,
      );
    });
}

/**
 * When the episode's workflow runs and its delivery is blocked, the delivery is the workflow's to
 * make: it is asked to redeliver (an Update, or a signal while no worker runs) and its outcome is
 * printed. False when there is no such episode (no server, not running, not blocked).
 */
async function redeliverIfBlocked(projectId: string, episode: string, by: string): Promise<boolean> {
  const connected = await connectClient().catch(() => undefined);
  if (!connected) return false;
  const { client, connection } = connected;
  try {
    const handle = client.workflow.getHandle(episodeWorkflowId(projectId, episode));
    const description = await handle.describe().catch(() => undefined);
    if (description?.status.name !== 'RUNNING') return false;
    const state = description.typedSearchAttributes.getAll().find((p) => p.key.name === 'RecoilState')?.value;
    if (state !== 'delivery_blocked') return false;
    const what = `redeliver ${projectId}/${episode}`;
    const outcome = await redeliverEpisode(client, { projectId, episode }, by);
    reportOutcome(what, outcome);
    if (outcome.kind === 'accepted') await reportDelivery(client, connection, projectId, episode);
    return true;
  } finally {
    await connection.close();
  }
}

/** Waits for the new attempt to end: delivered (exit 0), or refused again (exit 1 with the reason). */
async function reportDelivery(client: Client, connection: Connection, projectId: string, episode: string): Promise<void> {
  const handle = client.workflow.getHandle(episodeWorkflowId(projectId, episode));
  const deadline = Date.now() + OUTCOME_WITHIN_MS;
  let status: EpisodeStatus | undefined;
  while (Date.now() < deadline) {
    status = await connection.withDeadline(Date.now() + 5_000, () => handle.query(episodeStatusQuery)).catch(() => status);
    if (status?.state === 'delivered') return void console.log(`${pc.green('✓')} delivered ${projectId} ${episode}: ${status.deliveryPath ?? ''}`);
    if (status?.state === 'delivery_blocked' && status.deliveryBlocked) {
      throw runtimeError(`the delivery was refused again: ${status.deliveryBlocked.reason}\nFix it, then run this command again.`);
    }
    await sleep(500);
  }
  console.log(`${pc.yellow('…')} still delivering; \`npx recoil status ${projectId} --episode ${episode}\` shows the outcome`);
}
