// Tokenizer and parser for intrinsic function calls such as
// `States.Format('{} of {}', $.a, States.ArrayLength($$.Execution.Input.items))`.
import { StatesError } from '../errors';

export type IntrinsicArg =
  /** `raw` keeps a string literal's escapes, which States.Format needs to tell `\{}` from `{}`. */
  | { kind: 'literal'; value: string | number | boolean | null; raw?: string }
  /** `$...` into the state input, `$$...` into the context object. */
  | { kind: 'path'; path: string }
  | IntrinsicCall;

export interface IntrinsicCall {
  kind: 'call';
  name: string;
  args: IntrinsicArg[];
}

/** AWS: "You can nest up to 10 intrinsic functions within a field". */
export const MAX_FUNCTIONS_PER_FIELD = 10;

const CALL_START = /^\s*States\.[A-Za-z0-9]+\s*\(/;

/** Whether a `.$` value is an intrinsic call rather than a path. */
export function isIntrinsic(expression: string): boolean {
  return typeof expression === 'string' && CALL_START.test(expression);
}

const cache = new Map<string, IntrinsicCall>();
const CACHE_LIMIT = 10_000;

/** Parses a whole intrinsic expression; throws States.IntrinsicFailure naming the position of a syntax error. */
export function parseIntrinsic(expression: string): IntrinsicCall {
  const hit = cache.get(expression);
  if (hit) return hit;
  const parser = new Parser(expression);
  const call = parser.parseTopLevel();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(expression, call);
  return call;
}

class Parser {
  private pos = 0;
  private calls = 0;

  constructor(private readonly text: string) {}

  parseTopLevel(): IntrinsicCall {
    this.skipSpace();
    const call = this.parseCall();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected '${this.text.slice(this.pos)}' after the closing parenthesis`);
    return call;
  }

  private fail(message: string): never {
    throw new StatesError('States.IntrinsicFailure', `Invalid intrinsic function '${this.text}' at position ${this.pos}: ${message}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private parseCall(): IntrinsicCall {
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.pos));
    if (!match) this.fail('expected a function name such as States.Format');
    const name = match[0];
    this.pos += name.length;
    this.calls++;
    if (this.calls > MAX_FUNCTIONS_PER_FIELD) this.fail(`more than ${MAX_FUNCTIONS_PER_FIELD} intrinsic functions in one field`);
    this.skipSpace();
    if (this.text[this.pos] !== '(') this.fail(`expected '(' after ${name}`);
    this.pos++;
    const args: IntrinsicArg[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { kind: 'call', name, args };
    }
    for (;;) {
      this.skipSpace();
      args.push(this.parseArg());
      this.skipSpace();
      const ch = this.text[this.pos];
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch === ')') {
        this.pos++;
        return { kind: 'call', name, args };
      }
      this.fail(ch === undefined ? `missing ')' to close ${name}` : `expected ',' or ')' but found '${ch}'`);
    }
  }

  private parseArg(): IntrinsicArg {
    const rest = this.text.slice(this.pos);
    const ch = rest[0];
    if (ch === "'") return this.parseString();
    if (ch === '$') return this.parsePath();
    if (rest.startsWith('States.')) return this.parseCall();
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const keyword = /^(true|false|null)\b/.exec(rest);
    if (keyword) {
      this.pos += keyword[0].length;
      return { kind: 'literal', value: keyword[0] === 'null' ? null : keyword[0] === 'true' };
    }
    return this.fail(ch === undefined ? 'unexpected end of expression' : `unexpected '${ch}'`);
  }

  private parseString(): IntrinsicArg {
    const start = this.pos;
    this.pos++; // opening quote
    let value = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === "'") {
        this.pos++;
        return { kind: 'literal', value, raw: this.text.slice(start + 1, this.pos - 1) };
      }
      if (ch === '\\') {
        const next = this.text[this.pos + 1];
        if (next !== "'" && next !== '{' && next !== '}' && next !== '\\') {
          this.fail(`open escape: '\\' must be followed by one of ' { } \\`);
        }
        value += next;
        this.pos += 2;
        continue;
      }
      value += ch;
      this.pos++;
    }
    this.pos = start;
    return this.fail('unterminated string literal');
  }

  /** A path runs to the next ',' or ')' (or space) that is outside brackets and quotes. */
  private parsePath(): IntrinsicArg {
    const start = this.pos;
    let depth = 0;
    let quote: string | null = null;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (quote) {
        if (ch === '\\') this.pos++;
        else if (ch === quote) quote = null;
      } else if (ch === "'" || ch === '"') {
        if (depth === 0) break;
        quote = ch;
      } else if (ch === '[') depth++;
      else if (ch === ']') depth--;
      else if (depth === 0 && (ch === ',' || ch === ')' || /\s/.test(ch))) break;
      this.pos++;
    }
    const path = this.text.slice(start, this.pos);
    if (depth !== 0 || quote) this.fail(`unbalanced brackets in path '${path}'`);
    return { kind: 'path', path };
  }
}
