import { stat } from 'node:fs/promises';
import path from 'node:path';
import { crossCheck } from '../domain/cross-checks.js';
import { didYouMean } from '../domain/did-you-mean.js';
import { BibleSchema, PlanSchema, ProjectSchema, type Bible, type Plan, type Project } from '../domain/schemas.js';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { checkImages } from './check-images.js';
import { draftBible, draftPlan, draftProject } from './drafts.js';
import { findPlanFiles } from './find-plans.js';
import { imageRefs, videoRefs } from './image-refs.js';
import type { JsonDocument } from './json-document.js';
import { BIBLE_FILE, PLANS_DIR, PROJECT_FILE } from './project-files.js';
import { locateIssues, readChecked, type CheckedFile } from './read-checked.js';

export interface LoadedPlan {
  /** Relative to the project folder, e.g. plans/ep_001_plan.json */
  file: string;
  plan: Plan;
  /** The file as written, to locate problems found later (e.g. a sequence `--only` names). */
  document?: JsonDocument;
}

export type LoadResult =
  | { ok: true; project: Project; bible: Bible; plans: LoadedPlan[]; /** absolute */ projectDir: string }
  | { ok: false; issues: ValidationIssue[] };

export interface LoadOptions {
  /** Check and return only this episode's plan: a broken draft of another episode doesn't block this one. */
  episode?: string;
}

const CREATE_PROJECT = `create ${PROJECT_FILE}, e.g. {"id": "my-project", "name": "My Project", "type": "client_video"}`;
const CREATE_BIBLE = `create ${BIBLE_FILE} with {"elements": [ … ]}: one entry per character, prop, location or vehicle`;

/**
 * Reads a client project folder and checks all of it: files, JSON syntax, schemas, the rules across
 * files and every image. It never stops at the first problem and never writes anything.
 */
export async function loadProject(projectDir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const root = path.resolve(projectDir);
  const folderProblem = await projectFolderIssue(root, projectDir);
  if (folderProblem) return { ok: false, issues: [folderProblem] };

  const [project, bible, planFiles] = await Promise.all([
    readChecked(root, PROJECT_FILE, ProjectSchema, CREATE_PROJECT),
    readChecked(root, BIBLE_FILE, BibleSchema, CREATE_BIBLE),
    findPlanFiles(root),
  ]);
  const allPlans = planFiles.ok
    ? await Promise.all(planFiles.files.map((file) => readChecked(root, file, PlanSchema, `restore ${file}`)))
    : [];
  const plans = opts.episode === undefined ? allPlans : allPlans.filter((p) => mayBeEpisode(p, opts.episode));

  const issues = [
    ...(planFiles.ok ? [] : [planFiles.issue]),
    ...episodeIssues(opts.episode, allPlans),
    ...[project, bible, ...plans].flatMap((f) => f.issues),
    ...locateIssues(await ruleIssues(root, project, bible, plans), [project, bible, ...plans]),
  ];
  const loadedPlans = plans.flatMap((p) => (p.value ? [{ file: p.file, plan: p.value, document: p.document }] : []));
  if (issues.length > 0 || !project.value || !bible.value || loadedPlans.length !== plans.length) {
    return { ok: false, issues: byFile(issues, [PROJECT_FILE, BIBLE_FILE, `${PLANS_DIR}/`, ...plans.map((p) => p.file)]) };
  }
  return { ok: true, project: project.value, bible: bible.value, plans: loadedPlans, projectDir: root };
}

/** The cross-file rules and the images, on whatever could be read, valid or not. */
async function ruleIssues(
  root: string,
  project: CheckedFile<Project>,
  bible: CheckedFile<Bible>,
  plans: ReadonlyArray<CheckedFile<Plan>>,
): Promise<ValidationIssue[]> {
  const bibleDraft = bible.raw === undefined ? undefined : draftBible(bible.raw);
  const bibleInput = bibleDraft && { file: bible.file, bible: bibleDraft };
  const planInputs = plans.flatMap((p) => (p.raw === undefined ? [] : [{ file: p.file, plan: draftPlan(p.raw) }]));
  const crossIssues = crossCheck({
    ...(project.raw === undefined ? {} : { project: { file: project.file, project: draftProject(project.raw) } }),
    ...(bibleInput ? { bible: bibleInput } : {}),
    plans: planInputs,
  });
  const [images, videos] = await Promise.all([checkImages(root, imageRefs(bibleInput, planInputs)), checkImages(root, videoRefs(bibleInput), 'video')]);
  return [...crossIssues, ...images, ...videos];
}

async function projectFolderIssue(root: string, written: string): Promise<ValidationIssue | undefined> {
  const hint = `check the path: a project folder holds ${PROJECT_FILE}, ${BIBLE_FILE} and ${PLANS_DIR}/`;
  try {
    if ((await stat(root)).isDirectory()) return undefined;
    return { file: written, path: '', message: 'is a file, not a project folder', hint };
  } catch {
    return { file: written, path: '', message: 'project folder not found', hint };
  }
}

/** A plan whose episode can't be read might be the one asked for, so it is kept and its problems shown. */
function mayBeEpisode(plan: CheckedFile<Plan>, episode: string | undefined): boolean {
  const written = episodeOf(plan);
  return written === undefined || written === episode;
}

function episodeIssues(episode: string | undefined, plans: ReadonlyArray<CheckedFile<Plan>>): ValidationIssue[] {
  if (episode === undefined || plans.some((p) => episodeOf(p) === episode)) return [];
  const found = plans.flatMap((p) => {
    const written = episodeOf(p);
    return written === undefined ? [] : [{ episode: written, file: p.file }];
  });
  const list = found.map((f) => `${f.episode} (${f.file})`).join(', ');
  return [
    {
      file: `${PLANS_DIR}/`,
      path: '',
      message: `no plan for episode "${episode}"`,
      hint: found.length
        ? `${didYouMean(episode, found.map((f) => f.episode))}episodes found: ${list}`
        : `no plan has a readable "episode" field; add a plan for ${episode}`,
    },
  ];
}

function episodeOf(plan: CheckedFile<Plan>): string | undefined {
  const raw = plan.raw;
  const episode = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).episode : undefined;
  return typeof episode === 'string' ? episode : undefined;
}

/** Problems grouped by file, in the order a person reads the project; within a file, as found. */
function byFile(issues: ValidationIssue[], fileOrder: string[]): ValidationIssue[] {
  const rank = (file: string) => {
    const i = fileOrder.indexOf(file);
    return i === -1 ? fileOrder.length : i;
  };
  return [...issues].sort((a, b) => rank(a.file) - rank(b.file));
}
