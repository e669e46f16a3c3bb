import type { z } from 'zod';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { zodIssues } from '../domain/zod-issues.js';
import { locateJsonPath, type JsonDocument } from './json-document.js';
import { readJson } from './read-json.js';

/** One JSON file of the project, read and held against its schema. */
export interface CheckedFile<T> {
  file: string;
  /** The JSON as written; absent when the file could not be read or parsed. */
  raw?: unknown;
  /** Its text and syntax tree, to locate problems found later (cross-file rules, images). */
  document?: JsonDocument;
  /** Present when the file satisfies its schema. */
  value?: T;
  issues: ValidationIssue[];
}

export async function readChecked<S extends z.ZodType>(
  projectDir: string,
  file: string,
  schema: S,
  missingHint: string,
): Promise<CheckedFile<z.output<S>>> {
  const read = await readJson(projectDir, file, missingHint);
  if (!read.ok) return { file, issues: [read.issue] };
  const { data: raw, document } = read;
  const parsed = schema.safeParse(raw, { reportInput: true });
  return parsed.success
    ? { file, raw, document, value: parsed.data, issues: [] }
    : { file, raw, document, issues: locateIssues(zodIssues(file, parsed.error, schema), [{ file, document }]) };
}

/** Gives each problem in one of these files the line and column of its JSON path, for editors to jump to. */
export function locateIssues(issues: ValidationIssue[], files: ReadonlyArray<Pick<CheckedFile<unknown>, 'file' | 'document'>>): ValidationIssue[] {
  return issues.map((issue) => {
    const document = files.find((f) => f.file === issue.file)?.document;
    return document && issue.line === undefined ? { ...issue, ...locateJsonPath(document, issue.path) } : issue;
  });
}
