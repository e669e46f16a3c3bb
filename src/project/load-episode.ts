import { didYouMean } from '../domain/did-you-mean.js';
import type { Bible, Plan, Project } from '../domain/schemas.js';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { loadProject } from './load-project.js';
import { PLANS_DIR } from './project-files.js';
import { locateIssues } from './read-checked.js';

export type EpisodeLoadResult =
  | { ok: true; project: Project; bible: Bible; plan: Plan; planFile: string; projectDir: string }
  | { ok: false; issues: ValidationIssue[] };

export interface EpisodeOptions {
  /** Sequence ids to keep (e.g. from `--only SEQ01,SEQ03`); all of them when absent. */
  only?: string[];
}

/** One episode, checked; `plan` keeps only the selected sequences. */
export async function loadEpisode(projectDir: string, episode: string, opts: EpisodeOptions = {}): Promise<EpisodeLoadResult> {
  const loaded = await loadProject(projectDir, { episode });
  if (!loaded.ok) return loaded;
  const found = loaded.plans.find((p) => p.plan.episode === episode);
  if (!found) return { ok: false, issues: [{ file: `${PLANS_DIR}/`, path: '', message: `no plan for episode "${episode}"` }] };
  const selected = selectSequences(found.plan, found.file, opts.only);
  if (!selected.ok) return { ok: false, issues: locateIssues(selected.issues, [found]) };
  const { project, bible, projectDir: root } = loaded;
  return {
    ok: true,
    project,
    bible,
    plan: selected.plan,
    planFile: found.file,
    projectDir: root,
  };
}

function selectSequences(
  plan: Plan,
  file: string,
  only: string[] | undefined,
): { ok: true; plan: Plan } | { ok: false; issues: ValidationIssue[] } {
  if (only === undefined) return { ok: true, plan };
  const ids = plan.sequences.map((s) => s.id);
  const unknown = only.filter((id) => !ids.includes(id));
  if (unknown.length > 0) {
    return {
      ok: false,
      issues: unknown.map((id) => ({
        file,
        path: 'sequences',
        message: `no sequence "${id}" in episode ${plan.episode} (asked for by --only)`,
        hint: `${didYouMean(id, ids)}sequences in this plan: ${ids.join(', ')}`,
      })),
    };
  }
  return { ok: true, plan: { ...plan, sequences: plan.sequences.filter((s) => only.includes(s.id)) } };
}
