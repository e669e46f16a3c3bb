import { loadPricing } from '../config/pricing.js';
import type { Pricing } from '../domain/price-table.js';
import { toSequenceUnits } from '../domain/sequence-unit.js';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { loadEpisode } from '../project/load-episode.js';
import { loadProject } from '../project/load-project.js';
import { CliError } from '../domain/cli-error.js';
import { formatIssues } from './format-issues.js';

/** Loads a whole project and the price table, or exits 2 listing every problem found in either. */
export async function loadProjectOrExit(projectDir: string, episode?: string) {
  const [result, pricing] = await Promise.all([loadProject(projectDir, episode ? { episode } : {}), loadPricing()]);
  if (!result.ok || !pricing.ok) throw invalid(projectDir, [...issuesOf(result), ...issuesOf(pricing)]);
  const episodes = result.plans.map(({ file, plan }) => ({
    file,
    plan,
    units: toSequenceUnits({ project: result.project, bible: result.bible, plan, projectDir: result.projectDir, pricing: pricing.pricing }),
  }));
  return { project: result.project, bible: result.bible, episodes };
}

/** Loads one episode (optionally `--only` some sequences) priced into units, or exits 2 listing every problem. */
export async function loadEpisodeOrExit(projectDir: string, episode: string, only?: string) {
  const ids = only?.split(',').map((s) => s.trim()).filter(Boolean);
  const [result, pricing] = await Promise.all([loadEpisode(projectDir, episode, ids ? { only: ids } : {}), loadPricing()]);
  if (!result.ok || !pricing.ok) throw invalid(projectDir, [...issuesOf(result), ...issuesOf(pricing)]);
  const { project, bible, plan } = result;
  return { ...result, pricing: pricing.pricing, units: toSequenceUnits({ project, bible, plan, projectDir: result.projectDir, pricing: pricing.pricing }) };
}

export type LoadedEpisode = Awaited<ReturnType<typeof loadEpisodeOrExit>>;

/** The price table a worker records actual costs with, or exit 2 naming what is wrong in it. */
export async function loadPricingOrExit(): Promise<Pricing> {
  const pricing = await loadPricing();
  if (!pricing.ok) throw invalid('price table', pricing.issues);
  return pricing.pricing;
}

function issuesOf(result: { ok: true } | { ok: false; issues: ValidationIssue[] }): ValidationIssue[] {
  return result.ok ? [] : result.issues;
}

function invalid(subject: string, issues: ValidationIssue[]): CliError {
  return new CliError(formatIssues(subject, issues), 2);
}
