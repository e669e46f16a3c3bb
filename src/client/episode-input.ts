import type { ProviderName } from '../domain/models.js';
import type { Plan, Project } from '../domain/schemas.js';
import type { SequenceUnit } from '../domain/sequence-unit.js';
import type { EpisodeInput } from '../contract/episode.js';

/** The episode workflow's input from a loaded plan: the plan's budget wins over the project's. */
export function episodeInput(loaded: { project: Project; plan: Plan; units: SequenceUnit[] }, provider: ProviderName, startedBy: string): EpisodeInput {
  const { project, plan, units } = loaded;
  const budgetUsd = plan.budget_usd ?? project.budget_usd;
  return {
    projectId: project.id,
    episode: plan.episode,
    units,
    provider,
    maxParallel: project.max_parallel_sequences,
    maxTakes: project.max_takes_per_sequence,
    autoRetakes: project.critic_auto_retakes,
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    startedBy,
  };
}
