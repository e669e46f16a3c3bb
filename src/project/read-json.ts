import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { parseJsonDocument, type JsonDocument } from './json-document.js';

export type JsonRead = { ok: true; data: unknown; document: JsonDocument } | { ok: false; issue: ValidationIssue };

/** Reads one JSON file of the project; `missingHint` says how to create it when it is absent. */
export async function readJson(projectDir: string, file: string, missingHint: string): Promise<JsonRead> {
  let text: string;
  try {
    text = await readFile(path.resolve(projectDir, file), 'utf8');
  } catch (error) {
    return { ok: false, issue: unreadable(file, error, missingHint) };
  }
  return parseJson(file, stripByteOrderMark(text));
}

function parseJson(file: string, text: string): JsonRead {
  const parsed = parseJsonDocument(text);
  if (parsed.ok) return parsed;
  return {
    ok: false,
    issue: {
      file,
      path: '',
      ...parsed.location,
      message: `is not valid JSON: ${parsed.reason}`,
      hint: 'JSON needs double quotes, a comma between items and none after the last',
    },
  };
}

function unreadable(file: string, error: unknown, missingHint: string): ValidationIssue {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { file, path: '', message: 'is missing', hint: missingHint };
  if (code === 'EISDIR') return { file, path: '', message: 'is a folder, not a file', hint: missingHint };
  return { file, path: '', message: `cannot be read (${code ?? String(error)})`, hint: 'check the file permissions' };
}

/** Editors on Windows often save UTF-8 with a BOM, which JSON.parse refuses. */
function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
