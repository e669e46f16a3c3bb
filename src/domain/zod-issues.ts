import { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import { formatJsonPath, type ValidationIssue } from './validation-issue.js';

type ZodIssue = z.core.$ZodIssue;
type Problem = Pick<ValidationIssue, 'message' | 'hint'>;
type LocatedProblem = Problem & { path: PropertyKey[] };

/**
 * Zod's issues, reworded for the people who write the JSON files. Parse with `{ reportInput: true }`
 * so messages can quote the offending value and tell a missing field from a mistyped one.
 * The schema is needed to list the fields an object accepts.
 */
export function zodIssues(file: string, error: z.ZodError, schema: z.ZodType): ValidationIssue[] {
  return error.issues
    .flatMap((issue) => locate(issue, schema))
    .map(({ path, message, hint }) => ({ file, path: formatJsonPath(path), message, ...(hint ? { hint } : {}) }));
}

function locate(issue: ZodIssue, schema: z.ZodType): LocatedProblem[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownFields(issue, schema);
    case 'invalid_union':
      return unionMismatch(issue, schema);
    default:
      return [{ path: issue.path, ...describe(issue) }];
  }
}

function describe(issue: ZodIssue): Problem {
  switch (issue.code) {
    case 'invalid_type':
      return wrongType(issue);
    case 'invalid_value':
      return notAllowed(issue);
    case 'too_small':
    case 'too_big':
      return outOfRange(issue);
    case 'invalid_format':
      return badFormat(issue);
    default:
      return { message: issue.message };
  }
}

/** One issue per key, located at the key itself so the path points at the line to delete. */
function unknownFields(issue: z.core.$ZodIssueUnrecognizedKeys, schema: z.ZodType): LocatedProblem[] {
  const known = [...new Set(objectForms(schema, issue.path).flat())];
  return issue.keys.map((key) => ({
    path: [...issue.path, key],
    message: `unknown field "${key}"`,
    hint: `${didYouMean(key, known)}remove it or check its spelling (known fields: ${known.join(', ')})`,
  }));
}

/**
 * When one form of the union is clearly closest (fewest problems), its own problems are the useful ones;
 * otherwise the value fits no form at all and the forms are listed.
 */
function unionMismatch(issue: z.core.$ZodIssueInvalidUnion, schema: z.ZodType): LocatedProblem[] {
  const closest = closestBranch(issue.errors);
  if (closest) return closest.flatMap((inner) => locate({ ...inner, path: [...issue.path, ...inner.path] }, schema));
  const forms = objectForms(schema, issue.path);
  if (forms.length === 0) return [{ path: issue.path, message: 'does not match any allowed form' }];
  const alternatives = [...new Set(forms.flat())].map((k) => `"${k}"`).join(', ');
  const written = isRecord(issue.input) ? Object.keys(issue.input) : [];
  return [
    {
      path: issue.path,
      message: `must be exactly one of: ${forms.map(formatForm).join(' or ')}`,
      hint: written.length > 1 ? `keep only one of ${alternatives}` : `write one of ${alternatives}`,
    },
  ];
}

function closestBranch(branches: ReadonlyArray<ReadonlyArray<ZodIssue>>): ReadonlyArray<ZodIssue> | undefined {
  const fewest = Math.min(...branches.map((b) => b.length));
  const closest = branches.filter((b) => b.length === fewest);
  return closest.length === 1 ? closest[0] : undefined;
}

function formatForm(keys: string[]): string {
  return `{ ${keys.map((k) => `"${k}": …`).join(', ')} }`;
}

function wrongType(issue: z.core.$ZodIssueInvalidType): Problem {
  if (!('input' in issue)) return { message: issue.message };
  const { input } = issue;
  const expected = typeName(issue.expected);
  if (input === undefined) return { message: 'is required', hint: `add it (${expected})` };
  if (issue.expected === 'int' && typeof input === 'number') {
    return { message: withGot(keepCustom(issue, 'must be a whole number'), issue, String), hint: `use ${Math.round(input)}` };
  }
  return { message: `expected ${expected}, got ${valueName(input)}`, hint: typeFix(issue.expected, input) ?? `write ${expected}` };
}

function typeFix(expected: string, input: unknown): string | undefined {
  if ((expected === 'number' || expected === 'int') && typeof input === 'string' && input.trim() !== '' && Number.isFinite(Number(input))) {
    return `remove the quotes: ${input.trim()}`;
  }
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) return `put it in quotes: "${input}"`;
  if (expected === 'array' && typeof input === 'string') return `put it in a list: ["${input}"]`;
  return undefined;
}

function notAllowed(issue: z.core.$ZodIssueInvalidValue): Problem {
  const allowed = issue.values.map((v) => JSON.stringify(v));
  const shown = (value: unknown) => JSON.stringify(value);
  if (allowed.length === 1) return { message: withGot(`must be ${allowed[0]}`, issue, shown), hint: `set it to ${allowed[0]}` };
  const suggestion = typeof issue.input === 'string' ? didYouMean(issue.input, issue.values.map(String)) : '';
  return { message: withGot('is not one of the allowed values', issue, shown), hint: `${suggestion}use one of: ${allowed.join(', ')}` };
}

function outOfRange(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): Problem {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  const bound = `${small ? 'at least' : 'at most'} ${limit}`;
  switch (issue.origin) {
    case 'string':
      if (small && limit === 1) return { message: keepCustom(issue, 'must not be empty'), hint: 'write some text' };
      return {
        message: withGot(keepCustom(issue, `must have ${bound} characters`), issue, (s: string) => `${s.length} characters`),
        hint: small ? 'write more' : 'shorten it',
      };
    case 'array':
      return {
        message: withGot(keepCustom(issue, `must have ${bound} items`), issue, (a: unknown[]) => `${a.length}`),
        hint: small ? `add ${limit === 1 ? 'one' : 'more'}` : `remove some, to keep ${bound}`,
      };
    default:
      return { message: withGot(keepCustom(issue, `must be ${bound}`), issue, String), hint: `use a value ${bound}` };
  }
}

function badFormat(issue: z.core.$ZodIssueInvalidStringFormat): Problem {
  const fallback = issue.pattern ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
  const message = withGot(keepCustom(issue, fallback), issue, (s: string) => JSON.stringify(s));
  const pattern = issue.pattern ? regexOf(issue.pattern) : undefined;
  const suggestion = typeof issue.input === 'string' && pattern ? slugFitting(issue.input, pattern) : undefined;
  const hint = suggestion ? `use "${suggestion}"` : issue.pattern ? `change it to match ${issue.pattern}` : `write a valid ${issue.format}`;
  return { message, hint };
}

/** zod reports a pattern as its literal text, "/^…$/flags". */
function regexOf(literal: string): RegExp | undefined {
  const parts = /^\/(.*)\/([a-z]*)$/s.exec(literal);
  return parts ? new RegExp(parts[1]!, parts[2]) : undefined;
}

/** "Driver Beware" → "driver-beware": the nearest id the pattern accepts, if a simple one does. */
function slugFitting(input: string, pattern: RegExp): string | undefined {
  const dashed = input.trim().replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
  return [dashed, dashed.toLowerCase(), dashed.toLowerCase().replace(/_/g, '-')].find((candidate) => candidate && pattern.test(candidate));
}

/** Messages written in the schema (e.g. "a shot lasts at most 15 s") beat our generic wording. */
function keepCustom(issue: ZodIssue, generic: string): string {
  return issue.message === zodDefaultMessage(issue) ? generic : issue.message;
}

const englishErrors = z.locales.en().localeError;

function zodDefaultMessage(issue: ZodIssue): string | undefined {
  const message = englishErrors?.(issue as unknown as z.core.$ZodRawIssue);
  return typeof message === 'string' ? message : message?.message;
}

function withGot<T>(message: string, issue: ZodIssue, show: (value: T) => string): string {
  return 'input' in issue && issue.input !== undefined ? `${message} (got ${show(issue.input as T)})` : message;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    int: 'a whole number',
    array: 'a list [ … ]',
    object: 'an object { … }',
  };
  return names[expected] ?? `a ${expected}`;
}

function valueName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key sets of the object (or each object of a union) found at `path` in the schema. */
function objectForms(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[][] {
  const node = unwrap(schema);
  if (node instanceof z.ZodUnion) return node.options.flatMap((option) => objectForms(option as z.ZodType, path));
  const [head, ...rest] = path;
  if (head === undefined) return node instanceof z.ZodObject ? [Object.keys(node.shape)] : [];
  if (node instanceof z.ZodArray && typeof head === 'number') return objectForms(node.element as z.ZodType, rest);
  if (node instanceof z.ZodObject && typeof head === 'string') {
    const child = (node.shape as Record<string, z.ZodType | undefined>)[head];
    return child ? objectForms(child, rest) : [];
  }
  return [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  while (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodNullable) {
    node = node.unwrap() as z.ZodType;
  }
  return node;
}
