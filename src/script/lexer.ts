// Character scanner for packetdrill scripts. The language is context-sensitive (`.` is a flag
// or a number, `<` a direction or an option list), so the parser pulls tokens on demand.

/** A parse error with the 1-based line it refers to. */
export class ScriptSyntaxError extends Error {
  constructor(readonly line: number, readonly reason: string) {
    super(`line ${line}: ${reason}`);
  }
}

/** Reads a script's text character by character, skipping whitespace and comments on request. */
export class Scanner {
  pos = 0;
  line = 1;

  constructor(readonly text: string) {}

  /** True when only whitespace and comments remain. */
  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  /** The character `k` places ahead ('' past the end). */
  peek(k = 0): string {
    return this.text.charAt(this.pos + k);
  }

  /** True when the text continues with `s`. */
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** Consumes one character, counting lines. */
  next(): string {
    const c = this.text.charAt(this.pos++);
    if (c === '\n') this.line++;
    return c;
  }

  /** Skips whitespace, `// …` and `/* … *\/` comments. */
  skipSpace(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.next();
      else if (this.startsWith('//')) while (this.pos < this.text.length && this.peek() !== '\n') this.next();
      else if (this.startsWith('/*')) {
        const line = this.line;
        const close = this.text.indexOf('*/', this.pos + 2);
        if (close < 0) throw new ScriptSyntaxError(line, 'unterminated /* comment');
        while (this.pos < close + 2) this.next();
      } else return;
    }
  }

  /** Skips space and consumes `s` if it comes next. */
  accept(s: string): boolean {
    this.skipSpace();
    if (!this.startsWith(s)) return false;
    for (let i = 0; i < s.length; i++) this.next();
    return true;
  }

  /** Skips space and consumes `s`, or throws a syntax error naming `what`. */
  expect(s: string, what?: string): void {
    if (!this.accept(s)) throw this.error(`expected ${what ?? `'${s}'`} but found ${this.describeNext()}`);
  }

  /** A syntax error at the current line. */
  error(message: string): ScriptSyntaxError {
    return new ScriptSyntaxError(this.line, message);
  }

  /** The next few characters, quoted, for error messages. */
  describeNext(): string {
    this.skipSpace();
    if (this.pos >= this.text.length) return 'end of file';
    const rest = this.text.slice(this.pos, this.pos + 20).split('\n')[0];
    return `'${rest}'`;
  }

  /** Reads a word of letters, digits and `_` (an identifier or symbolic constant); '' if none. */
  ident(): string {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 256));
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }

  /** Reads a run of non-space characters (packet flags such as `S.` or `-`). */
  word(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length && !/\s/.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** True if a number (digit, or `.` then a digit) starts here. */
  atNumber(): boolean {
    this.skipSpace();
    return /[0-9]/.test(this.peek()) || (this.peek() === '.' && /[0-9]/.test(this.peek(1)));
  }

  /** Reads an unsigned number as written (`123`, `0x2f`, `.010`, `1.5`); never swallows `...`. */
  numberText(): string {
    this.skipSpace();
    const start = this.pos;
    if (this.startsWith('0x') || this.startsWith('0X')) {
      this.pos += 2;
      while (/[0-9a-fA-F]/.test(this.peek())) this.pos++;
    } else {
      while (/[0-9]/.test(this.peek())) this.pos++;
      if (this.peek() === '.' && this.peek(1) !== '.') {
        this.pos++;
        while (/[0-9]/.test(this.peek())) this.pos++;
      }
    }
    if (this.pos === start) throw this.error(`expected a number but found ${this.describeNext()}`);
    return this.text.slice(start, this.pos);
  }

  /** Reads an unsigned integer (decimal or hex). */
  integer(what = 'an integer'): number {
    if (!this.atNumber()) throw this.error(`expected ${what} but found ${this.describeNext()}`);
    const t = this.numberText();
    if (t.includes('.')) throw this.error(`expected ${what} but found '${t}'`);
    return Number(t);
  }

  /** Reads raw text up to (not including) `close`, which is then consumed. */
  until(close: string, what: string): string {
    const line = this.line;
    const end = this.text.indexOf(close, this.pos);
    if (end < 0) throw new ScriptSyntaxError(line, `unterminated ${what}`);
    const s = this.text.slice(this.pos, end);
    while (this.pos < end + close.length) this.next();
    return s;
  }
}

/** Converts seconds as written (`0.100`, `.1`, `2`) to whole microseconds without float drift. */
export function secondsToUsecs(text: string): number {
  const [whole, frac = ''] = text.split('.');
  const micro = (frac + '000000').slice(0, 6);
  const rounding = frac.length > 6 && frac.charAt(6) >= '5' ? 1 : 0;
  return Number(whole || '0') * 1_000_000 + Number(micro) + rounding;
}
