import type { z } from 'zod';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { zodIssues } from '../domain/zod-issues.js';
import { readJson } from './read-json.js';

/** One JSON file of the project, read and held against its schema. */
export interface CheckedFile<T> {
  file: string;
  /** The JSON as written; absent when the file could not be read or parsed. */
  raw?: unknown;
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
  const parsed = schema.safeParse(read.data, { reportInput: true });
  return parsed.success
    ? { file, raw: read.data, value: parsed.data, issues: [] }
    : { file, raw: read.data, issues: zodIssues(file, parsed.error, schema) };
}
