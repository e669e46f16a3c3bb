import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { PLANS_DIR } from './project-files.js';

export type PlanFiles = { ok: true; files: string[] } | { ok: false; issue: ValidationIssue };

const FOLDER = `${PLANS_DIR}/`;
const CREATE_PLAN = `add one plan per episode, e.g. ${PLANS_DIR}/ep_001_plan.json with {"episode": "EP001", "sequences": [ … ]}`;

/** The plan files, as paths relative to the project folder; plans are found by content, so any *.json name goes. */
export async function findPlanFiles(projectDir: string): Promise<PlanFiles> {
  let entries;
  try {
    entries = await readdir(path.join(projectDir, PLANS_DIR), { withFileTypes: true });
  } catch (error) {
    return { ok: false, issue: folderIssue((error as NodeJS.ErrnoException).code) };
  }
  const files = entries
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && isPlanName(entry.name))
    .map((entry) => `${PLANS_DIR}/${entry.name}`)
    .sort();
  if (files.length === 0) return { ok: false, issue: { file: FOLDER, path: '', message: 'has no plan (*.json)', hint: CREATE_PLAN } };
  return { ok: true, files };
}

/** Editors and OSes leave hidden files (.DS_Store, ._ep_001_plan.json) next to the plans. */
function isPlanName(name: string): boolean {
  return !name.startsWith('.') && name.toLowerCase().endsWith('.json');
}

function folderIssue(code: string | undefined): ValidationIssue {
  if (code === 'ENOENT') return { file: FOLDER, path: '', message: 'folder is missing', hint: `create it: ${CREATE_PLAN}` };
  if (code === 'ENOTDIR') return { file: FOLDER, path: '', message: 'is a file, not a folder', hint: CREATE_PLAN };
  return { file: FOLDER, path: '', message: `cannot be read (${code ?? 'unknown error'})`, hint: 'check the folder permissions' };
}
