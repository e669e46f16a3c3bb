import type { Command } from 'commander';
import { COMMAND_SUMMARIES } from '../command-summaries.js';
import pc from 'picocolors';
import { episodeWorkflowId, sequenceWorkflowId } from '../../domain/ids.js';
import { usageError } from '../../domain/cli-error.js';
import { connectClient } from '../connect.js';

export function registerCancel(program: Command): void {
  program
    .command('cancel')
    .description(COMMAND_SUMMARIES['cancel'])
    .argument('<project>', 'project id')
    .argument('<episode>', 'episode id, e.g. EP001')
    .argument('[sequence]', 'sequence id; without it the episode itself is cancelled')
    .action(async (projectId: string, episode: string, sequenceId: string | undefined) => {
      const workflowId = sequenceId ? sequenceWorkflowId(projectId, episode, sequenceId) : episodeWorkflowId(projectId, episode);
      const { client, connection } = await connectClient();
      try {
        const handle = client.workflow.getHandle(workflowId);
        const description = await handle.describe().catch(() => undefined);
        if (!description) throw usageError(`there is no ${workflowId}: check the ids with \`npx recoil status ${projectId}\``);
        if (description.status.name !== 'RUNNING') throw usageError(`${workflowId} is closed (${description.status.name.toLowerCase()}): nothing to cancel`);
        await handle.cancel();
        console.log(`${pc.yellow('■')} cancellation of ${workflowId} requested; its takes and grids stay on disk`);
      } finally {
        await connection.close();
      }
    });
}
