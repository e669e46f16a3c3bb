import type { Command } from 'commander';
import pc from 'picocolors';
import { buildDelivery } from '../../activities/delivery/build-delivery.js';
import { DeliveryRefused } from '../../activities/delivery/delivery-refused.js';
import { versionName } from '../../domain/editorial/cut.js';
import { artifactsRootFromEnv } from '../../worker/artifacts-root.js';
import { CliError } from '../cli-error.js';
import { loadEpisodeOrExit } from '../load-or-exit.js';

export function registerDeliver(program: Command): void {
  program
    .command('deliver')
    .description('deliver the approved takes as a new version: cut, OTIO, EDL, contact sheet and manifest')
    .argument('<project-dir>', 'the client project folder (its plan gives the order of the cut)')
    .argument('<episode>', 'the episode, e.g. EP001')
    .action(async (projectDir: string, episode: string) => {
      const { project, units } = await loadEpisodeOrExit(projectDir, episode);
      const selection = { projectId: project.id, episode, sequences: units.map((u) => ({ sequenceId: u.sequenceId })) };
      const result = await buildDelivery(artifactsRootFromEnv(), selection).catch((err: unknown) => {
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
