/** Business-meaningful ids and folder names (docs/output-layout.md). */

export function episodeWorkflowId(projectId: string, episode: string): string {
  return `${projectId}/${episode}`;
}

export function sequenceWorkflowId(projectId: string, episode: string, sequenceId: string): string {
  return `${projectId}/${episode}/${sequenceId}`;
}

/** t: takes, g: start-frame grids, v: delivered versions. */
export type NumberedPrefix = 't' | 'g' | 'v';

/** t001, g002, v010…: the one spelling of a numbered folder, also how messages name a take, grid or version. */
export function numberedName(prefix: NumberedPrefix, n: number): string {
  return `${prefix}${String(n).padStart(3, '0')}`;
}

/** The number in a name `numberedName` made (t001 → 1); undefined for anything else, e.g. a folder being staged. */
export function numberOfName(prefix: NumberedPrefix, name: string): number | undefined {
  const digits = new RegExp(`^${prefix}(\\d{3,})$`).exec(name)?.[1];
  return digits === undefined ? undefined : Number(digits);
}

/** Never reused, allocated by the sequence workflow. */
export function takeFolderName(take: number): string {
  return numberedName('t', take);
}

/** Each grid exploration. */
export function gridFolderName(grid: number): string {
  return numberedName('g', grid);
}

/** Relative path of a sequence's artifacts under the artifacts root. */
export function sequenceArtifactsPath(projectId: string, episode: string, sequenceId: string): string {
  return `${projectId}/${episode}/${sequenceId}`;
}

export function deliveryArtifactsPath(projectId: string, episode: string): string {
  return `${projectId}/${episode}/delivery`;
}

export const TASK_QUEUE = 'recoil-pipeline';

/**
 * The workflow that shares one provider account's job limit among every episode served by the
 * task queue's workers (one deployment: one task queue on the namespace).
 */
export function accountGateWorkflowId(account: string, taskQueue: string): string {
  return `recoil-account-gate/${account}/${taskQueue}`;
}
