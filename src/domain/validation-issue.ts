/** One problem found in a user's project: where it is, what is wrong, and how to fix it. */
export interface ValidationIssue {
  /** Path of the file relative to the project folder, e.g. plans/ep_001_plan.json (or the price table's own path) */
  file: string;
  /** JSON path inside the file, e.g. sequences[2].shots[0].duration; empty for the whole file. */
  path: string;
  /** Where `path` is written in the file (1-based, as editors count), when the file could be parsed. */
  line?: number;
  column?: number;
  message: string;
  hint?: string;
}

/** ["sequences", 2, "shots", 0, "duration"] → sequences[2].shots[0].duration */
export function formatJsonPath(segments: ReadonlyArray<PropertyKey>): string {
  return segments.reduce<string>((out, seg) => {
    if (typeof seg === 'number') return `${out}[${seg}]`;
    return out ? `${out}.${String(seg)}` : String(seg);
  }, '');
}

/** `file:line:column path: message`, the form editors and terminals turn into a link to the spot. */
export function formatIssue(issue: ValidationIssue): string {
  const file = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const where = issue.path ? `${file} ${issue.path}` : file;
  return `${where}: ${issue.message}${issue.hint ? ` (fix: ${issue.hint})` : ''}`;
}
