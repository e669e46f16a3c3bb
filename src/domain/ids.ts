/** Business-meaningful ids and folder names (docs/output-layout.md). */

export function episodeWorkflowId(projectId: string, episode: string): string {
  return `${projectId}/${episode}`;
}

export function sequenceWorkflowId(projectId: string, episode: string, sequenceId: string): string {
  return `${projectId}/${episode}/${sequenceId}`;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/** t001, t002…: never reused, allocated by the sequence workflow. */
export function takeFolderName(take: number): string {
  return `t${pad3(take)}`;
}

/** g001, g002…: each grid exploration. */
export function gridFolderName(grid: number): string {
  return `g${pad3(grid)}`;
}

/** Relative path of a sequence's artifacts under the artifacts root. */
export function sequenceArtifactsPath(projectId: string, episode: string, sequenceId: string): string {
  return `${projectId}/${episode}/${sequenceId}`;
}

export function deliveryArtifactsPath(projectId: string, episode: string): string {
  return `${projectId}/${episode}/delivery`;
}

export const TASK_QUEUE = 'recoil-pipeline';
