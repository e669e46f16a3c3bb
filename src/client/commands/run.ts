import type { Command } from 'commander';
import pc from 'picocolors';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/models.js';
import { usageError } from '../cli-error.js';
import { connectClient } from '../connect.js';
import { episodeInput } from '../episode-input.js';
import { defaultActor } from '../identity.js';
import { loadEpisodeOrExit } from '../load-or-exit.js';
import { startOrFindEpisode } from '../start-episode.js';
import { projectUiUrl } from '../ui-url.js';
import { hasLiveWorker, NO_WORKER_HINT } from '../worker-presence.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start the episode workflow (or find the one already running)')
    .argument('<project-dir>', 'the client project folder')
    .requiredOption('--episode <id>', 'the episode, e.g. EP001')
    .option('--only <ids>', 'comma-separated sequence ids to run')
    .option('--provider <name>', `who generates the video: ${PROVIDER_NAMES.join(' | ')}`, 'local')
    .action(async (projectDir: string, opts: { episode: string; only?: string; provider: string }) => {
      const provider = parseProvider(opts.provider);
      const loaded = await loadEpisodeOrExit(projectDir, opts.episode, opts.only);
      const { project, plan, units } = loaded;
      const { client, connection, namespace, taskQueue } = await connectClient();
      try {
        const { handle, started } = await startOrFindEpisode(client, episodeInput(loaded, provider, defaultActor()), taskQueue);
        console.log(
          started
            ? `${pc.green('▶')} started ${handle.workflowId}: ${units.length} sequences on ${provider}, at most ${project.max_parallel_sequences} generating at once`
            : `${pc.cyan('●')} ${handle.workflowId} is already running: nothing new was started`,
        );
        if (!(await hasLiveWorker(client, taskQueue))) console.log(pc.yellow(`! ${NO_WORKER_HINT}; the episode will start when one does`));
        console.log(`  follow it: npx recoil status ${project.id} --episode ${plan.episode} --watch`);
        console.log(`  Web UI:    ${projectUiUrl(project.id, namespace)}`);
      } finally {
        await connection.close();
      }
    });
}

function parseProvider(name: string): ProviderName {
  if (name === 'local') return name;
  if (name === 'fal') throw usageError('the fal provider is not wired into this version yet: run with --provider local');
  throw usageError(`unknown provider "${name}": use one of ${PROVIDER_NAMES.join(', ')}`);
}
