import { loadEpisode } from '../project/load-episode.js';
import { loadProject } from '../project/load-project.js';
import { toSequenceUnits } from '../domain/sequence-unit.js';
import { CliError } from './cli-error.js';
import { formatIssues } from './format-issues.js';

/** Loads a whole project, or exits 2 listing every problem found. */
export async function loadProjectOrExit(projectDir: string, episode?: string) {
  const result = await loadProject(projectDir, episode ? { episode } : {});
  if (!result.ok) throw new CliError(formatIssues(projectDir, result.issues), 2);
  const episodes = result.plans.map(({ file, plan }) => ({
    file,
    plan,
    units: toSequenceUnits({ project: result.project, bible: result.bible, plan, projectDir: result.projectDir }),
  }));
  return { project: result.project, bible: result.bible, episodes };
}

/** Loads one episode's sequence units (optionally `--only` some), or exits 2 listing every problem. */
export async function loadEpisodeOrExit(projectDir: string, episode: string, only?: string) {
  const ids = only?.split(',').map((s) => s.trim()).filter(Boolean);
  const result = await loadEpisode(projectDir, episode, ids ? { only: ids } : {});
  if (!result.ok) throw new CliError(formatIssues(projectDir, result.issues), 2);
  return result;
}
