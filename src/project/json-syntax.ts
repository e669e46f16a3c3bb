/**
 * Where a hand-edited JSON file first goes wrong, and why. JSON.parse on Node 20 gives no position
 * for the most common slips (a trailing comma in a list, a bare word), so we scan for it ourselves.
 */
export interface JsonSyntaxError {
  offset: number;
  reason: string;
}

export interface LineColumn {
  line: number;
  column: number;
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}

/** 1-based, as editors show them. */
export function lineColumn(text: string, offset: number): LineColumn {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

class SyntaxAt extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const LITERALS = ['true', 'false', 'null'];
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Scanner {
  private at = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.skipSpace();
    if (this.at < this.text.length) this.fail('unexpected text after the end of the document');
  }

  private value(): void {
    this.skipSpace();
    const char = this.text[this.at];
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '"') return this.string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number();
    const literal = LITERALS.find((word) => this.text.startsWith(word, this.at));
    if (literal) {
      this.at += literal.length;
      return;
    }
    this.fail(char === undefined ? 'the file ends where a value was expected' : `expected a value, found ${this.describe(char)}`);
  }

  private object(): void {
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === '}') return void this.at++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail(`expected a field name in double quotes, found ${this.describeHere()}`);
      this.string();
      this.expect(':', 'after the field name');
      this.value();
      if (this.separator('}')) return;
    }
  }

  private array(): void {
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === ']') return void this.at++;
    for (;;) {
      this.value();
      if (this.separator(']')) return;
    }
  }

  /** True at the closing bracket; false after a comma, when another item follows. */
  private separator(close: '}' | ']'): boolean {
    this.skipSpace();
    const char = this.text[this.at];
    if (char === close) {
      this.at++;
      return true;
    }
    if (char !== ',') this.fail(`expected ',' or '${close}', found ${this.describeHere()}`);
    const comma = this.at++;
    this.skipSpace();
    if (this.text[this.at] === close) this.fail(`a trailing comma before '${close}'`, comma);
    return false;
  }

  private string(): void {
    const start = this.at++;
    while (this.at < this.text.length) {
      const char = this.text[this.at] ?? '';
      if (char === '"') return void this.at++;
      if (char === '\\') this.at++;
      else if (char < ' ') this.fail(char === '\n' ? 'a line break inside a string (write \\n)' : 'a control character inside a string');
      this.at++;
    }
    this.at = start;
    this.fail('a string that is never closed');
  }

  private number(): void {
    NUMBER.lastIndex = this.at;
    if (!NUMBER.test(this.text)) this.fail('a malformed number');
    this.at = NUMBER.lastIndex;
  }

  private expect(char: string, where: string): void {
    this.skipSpace();
    if (this.text[this.at] !== char) this.fail(`expected '${char}' ${where}, found ${this.describeHere()}`);
    this.at++;
  }

  private skipSpace(): void {
    while (/[ \t\r\n]/.test(this.text[this.at] ?? '')) this.at++;
  }

  private describeHere(): string {
    const char = this.text[this.at];
    return char === undefined ? 'the end of the file' : this.describe(char);
  }

  private describe(char: string): string {
    return char === "'" ? 'a single quote (JSON needs double quotes)' : `'${char}'`;
  }

  private fail(reason: string, offset = this.at): never {
    throw new SyntaxAt(offset, reason);
  }
}
