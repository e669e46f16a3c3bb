import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { episodeWorkflowId } from '../domain/ids.js';
import type { EpisodeInput } from '../contract/episode.js';
import type { episodeWorkflow } from '../workflows/episode-workflow.js';
import { RecoilEpisode, RecoilProject, RecoilState } from '../contract/search-attributes.js';

export interface EpisodeStart {
  handle: WorkflowHandle<typeof episodeWorkflow>;
  /** False when a run of this episode was already going: it was found, not started again. */
  started: boolean;
}

/**
 * One start request decides it: the server refuses a second run of an episode that is still going
 * (conflict policy FAIL) and we hand back the running one, telling the user nothing new started; an
 * episode that has finished may be run again (reuse policy ALLOW_DUPLICATE).
 */
export async function startOrFindEpisode(client: Client, input: EpisodeInput, taskQueue: string): Promise<EpisodeStart> {
  const workflowId = episodeWorkflowId(input.projectId, input.episode);
  try {
    const handle = await client.workflow.start('episodeWorkflow', {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `${input.projectId} ${input.episode}: ${input.units.length} sequences on ${input.provider}`,
      typedSearchAttributes: [
        { key: RecoilProject, value: input.projectId },
        { key: RecoilEpisode, value: input.episode },
        { key: RecoilState, value: 'running' },
      ],
    });
    return { handle: handle as WorkflowHandle<typeof episodeWorkflow>, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { handle: client.workflow.getHandle(workflowId), started: false };
    throw err;
  }
}
