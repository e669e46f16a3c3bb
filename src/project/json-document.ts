import { parseTree, ParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

/** 1-based, as editors show them. */
export interface TextLocation {
  line: number;
  column: number;
}

/** A JSON file as written: its text and syntax tree, so any JSON path in it can be located. */
export interface JsonDocument {
  text: string;
  root: Node;
}

export type JsonParse =
  | { ok: true; data: unknown; document: JsonDocument }
  | { ok: false; reason: string; location: TextLocation };

/** Strict JSON, as JSON.parse reads it: no comments, no trailing commas. */
const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** Parses strict JSON; when it is not, says where it first goes wrong and why, in words a person can act on. */
export function parseJsonDocument(text: string): JsonParse {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, STRICT);
  const first = errors[0];
  if (first || !root) return syntaxError(text, root, first);
  try {
    return { ok: true, data: JSON.parse(text), document: { text, root } };
  } catch (error) {
    return { ok: false, reason: (error as Error).message, location: { line: 1, column: 1 } };
  }
}

/**
 * Where a JSON path as issues write it (`sequences[2].shots[0].duration`) is in the file. A field is
 * located at its name, the line to edit or delete; a path that goes beyond what is written (a missing
 * field) stops at the deepest part that exists.
 */
export function locateJsonPath(document: JsonDocument, jsonPath: string): TextLocation {
  let node = document.root;
  let rest = jsonPath;
  for (let step = childAt(node, rest); step; step = childAt(node, rest)) {
    ({ node, rest } = step);
  }
  const start = node.parent?.type === 'property' ? node.parent.offset : node.offset;
  return locationOf(document.text, start);
}

function childAt(node: Node, jsonPath: string): { node: Node; rest: string } | undefined {
  if (node.type === 'array') {
    const index = /^\[(\d+)\]/.exec(jsonPath);
    const item = index && node.children?.[Number(index[1])];
    return item && index ? { node: item, rest: jsonPath.slice(index[0].length) } : undefined;
  }
  if (node.type !== 'object' || jsonPath === '') return undefined;
  const rest = jsonPath.replace(/^\./, '');
  // Field names may themselves hold dots or brackets: the longest name the path starts with wins.
  const matches = (node.children ?? []).flatMap((property) => {
    const [name, value] = property.children ?? [];
    const key = typeof name?.value === 'string' ? name.value : undefined;
    const follows = key === undefined ? undefined : rest.slice(key.length, key.length + 1);
    return key !== undefined && value && rest.startsWith(key) && ['', '.', '['].includes(follows ?? '') ? [{ key, value }] : [];
  });
  // JSON.parse keeps the last of two equal field names, so the last one is the one in effect.
  const best = matches.reduce<(typeof matches)[number] | undefined>((found, m) => (!found || m.key.length >= found.key.length ? m : found), undefined);
  return best && { node: best.value, rest: rest.slice(best.key.length) };
}

function locationOf(text: string, offset: number): TextLocation {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function syntaxError(text: string, root: Node | undefined, error: ParseError | undefined): JsonParse {
  const offset = error?.offset ?? 0;
  const trailingComma = trailingCommaBefore(text, offset);
  if (trailingComma !== undefined) {
    return { ok: false, reason: `a trailing comma before '${text[offset]}'`, location: locationOf(text, trailingComma) };
  }
  const pastTheEnd = root !== undefined && offset >= root.offset + root.length;
  const reason = pastTheEnd ? 'unexpected text after the end of the document' : describe(error?.error, text, offset);
  return { ok: false, reason, location: locationOf(text, offset) };
}

/** The comma's offset when the error sits on a closing bracket right after one. */
function trailingCommaBefore(text: string, offset: number): number | undefined {
  if (text[offset] !== ']' && text[offset] !== '}') return undefined;
  const comma = text.slice(0, offset).trimEnd().length - 1;
  return text[comma] === ',' ? comma : undefined;
}

function describe(code: ParseErrorCode | undefined, text: string, offset: number): string {
  const found = foundAt(text, offset);
  switch (code) {
    case ParseErrorCode.PropertyNameExpected:
      return `expected a field name in double quotes, found ${found}`;
    case ParseErrorCode.ValueExpected:
    case ParseErrorCode.InvalidSymbol:
      return offset >= text.length ? 'the file ends where a value was expected' : `expected a value, found ${found}`;
    case ParseErrorCode.ColonExpected:
      return `expected ':' after the field name, found ${found}`;
    case ParseErrorCode.CommaExpected:
      return `expected ',' between two items, found ${found}`;
    case ParseErrorCode.CloseBraceExpected:
      return `expected ',' or '}', found ${found}`;
    case ParseErrorCode.CloseBracketExpected:
      return `expected ',' or ']', found ${found}`;
    case ParseErrorCode.EndOfFileExpected:
      return 'unexpected text after the end of the document';
    case ParseErrorCode.InvalidCommentToken:
    case ParseErrorCode.UnexpectedEndOfComment:
      return 'a comment (JSON has none: remove it)';
    case ParseErrorCode.UnexpectedEndOfString:
      return 'a string that is not closed on its line (a line break inside a string is written \\n)';
    case ParseErrorCode.InvalidCharacter:
      return 'a control character inside a string (a line break is written \\n, a tab \\t)';
    case ParseErrorCode.InvalidEscapeCharacter:
    case ParseErrorCode.InvalidUnicode:
      return 'an unknown escape after a backslash (write \\\\ for a backslash)';
    case ParseErrorCode.InvalidNumberFormat:
    case ParseErrorCode.UnexpectedEndOfNumber:
      return 'a malformed number';
    default:
      return `unexpected ${found}`;
  }
}

function foundAt(text: string, offset: number): string {
  const char = text[offset];
  if (char === undefined) return 'the end of the file';
  return char === "'" ? 'a single quote (JSON needs double quotes)' : `'${char}'`;
}
