const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX = /^[0-9a-fA-F]$/;

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'done';

/**
 * Checks, chunk by chunk and without keeping the text, that a text is one JSON
 * document (RFC 8259) whose top level is an object or an array (a bare `42` or
 * `"word"` is a plain text, not a JSON file). Feed decoded text with `write`,
 * then ask `end()`. Once invalid, it stays invalid and ignores further text.
 */
export class JsonSyntaxCheck {
  private readonly stack: ('{' | '[')[] = [];
  private expect: Expect = 'value';
  private token: 'none' | 'string' | 'number' | 'literal' = 'none';
  private tokenText = '';
  private stringIsKey = false;
  /** In a string: 0 normal, 1 after a backslash, 2..5 hex digits of \u still expected (5 - n). */
  private escape = 0;
  private broken = false;
  private started = false;

  get valid(): boolean {
    return !this.broken;
  }

  write(text: string): void {
    for (let i = 0; i < text.length && !this.broken; i++) this.step(text[i]!);
  }

  /** True when everything written is exactly one JSON object or array (whitespace around it allowed). */
  end(): boolean {
    if (this.broken) return false;
    if (this.token === 'number' || this.token === 'literal') this.finishScalarToken();
    return !this.broken && this.token === 'none' && this.expect === 'done';
  }

  private fail(): void {
    this.broken = true;
  }

  private step(c: string): void {
    if (this.token === 'string') return this.stringChar(c);
    if (this.token === 'number') {
      if (/[0-9eE+\-.]/.test(c)) {
        this.tokenText += c;
        if (this.tokenText.length > 1024) this.fail();
        return;
      }
      this.finishScalarToken();
      if (this.broken) return;
    } else if (this.token === 'literal') {
      if (c >= 'a' && c <= 'z') {
        this.tokenText += c;
        if (this.tokenText.length > 5) this.fail();
        return;
      }
      this.finishScalarToken();
      if (this.broken) return;
    }
    if (WHITESPACE.has(c)) return;
    switch (this.expect) {
      case 'done':
        return this.fail();
      case 'value':
      case 'valueOrClose':
        if (c === ']' && this.expect === 'valueOrClose') return this.close(c);
        return this.startValue(c);
      case 'key':
      case 'keyOrClose':
        if (c === '}' && this.expect === 'keyOrClose') return this.close(c);
        if (c !== '"') return this.fail();
        this.token = 'string';
        this.stringIsKey = true;
        return;
      case 'colon':
        if (c !== ':') return this.fail();
        this.expect = 'value';
        return;
      case 'commaOrClose': {
        if (c === '}' || c === ']') return this.close(c);
        if (c !== ',') return this.fail();
        this.expect = this.stack[this.stack.length - 1] === '{' ? 'key' : 'value';
        return;
      }
    }
  }

  private startValue(c: string): void {
    if (!this.started) {
      this.started = true;
      if (c !== '{' && c !== '[') return this.fail(); // top level must be an object or an array
    }
    if (c === '{' || c === '[') {
      this.stack.push(c);
      this.expect = c === '{' ? 'keyOrClose' : 'valueOrClose';
      return;
    }
    if (c === '"') {
      this.token = 'string';
      this.stringIsKey = false;
      return;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      this.token = 'number';
      this.tokenText = c;
      return;
    }
    if (c >= 'a' && c <= 'z') {
      this.token = 'literal';
      this.tokenText = c;
      return;
    }
    this.fail();
  }

  private close(c: string): void {
    const open = this.stack.pop();
    if ((c === '}' && open !== '{') || (c === ']' && open !== '[')) return this.fail();
    this.valueDone();
  }

  private valueDone(): void {
    this.expect = this.stack.length === 0 ? 'done' : 'commaOrClose';
  }

  private finishScalarToken(): void {
    const text = this.tokenText;
    const ok = this.token === 'number' ? NUMBER.test(text) : text === 'true' || text === 'false' || text === 'null';
    this.token = 'none';
    this.tokenText = '';
    if (!ok) return this.fail();
    this.valueDone();
  }

  private stringChar(c: string): void {
    if (this.escape === 1) {
      if (c === 'u') this.escape = 2;
      else if (ESCAPES.has(c)) this.escape = 0;
      else this.fail();
      return;
    }
    if (this.escape >= 2) {
      if (!HEX.test(c)) return this.fail();
      this.escape = this.escape === 5 ? 0 : this.escape + 1;
      return;
    }
    if (c === '\\') {
      this.escape = 1;
      return;
    }
    if (c === '"') {
      this.token = 'none';
      if (this.stringIsKey) this.expect = 'colon';
      else this.valueDone();
      return;
    }
    if (c.charCodeAt(0) < 0x20) this.fail(); // raw control characters are not allowed in JSON strings
  }
}
