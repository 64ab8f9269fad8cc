/**
 * Evaluates the small subset of Terraform expressions our stacks generate over the failback variables
 * (`==`, `!=`, `&&`, `||`, `!`, `?:`, map/list literals, indexing, lookup/contains/element/length), so a
 * plan review shows `normal -> suspended` rather than two identical expression texts.
 * Anything else (references to data sources, other functions) is "not evaluable": the text is kept as is.
 */
export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue };
export type Variables = Readonly<Record<string, HclValue>>;

class NotEvaluable extends Error {}

type Thunk = () => HclValue;

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_-]*)|(==|!=|>=|<=|&&|\|\||[()[\]{},?:=!<>.]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(text);
    if (!match) throw new NotEvaluable(`unexpected text at ${TOKEN.lastIndex}`);
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4]);
  }
  return tokens;
}

const FUNCTIONS: Record<string, (args: HclValue[]) => HclValue> = {
  lookup: ([map, key, fallback]) => {
    const found = (map as Record<string, HclValue>)[String(key)];
    if (found === undefined && fallback === undefined) throw new NotEvaluable(`no key ${String(key)}`);
    return found ?? fallback;
  },
  contains: ([list, value]) => (list as HclValue[]).includes(value),
  element: ([list, index]) => (list as HclValue[])[Number(index) % (list as HclValue[]).length],
  length: ([value]) => (typeof value === 'string' ? value.length : Object.keys(value as object).length),
  tostring: ([value]) => String(value),
};

/** Recursive descent over the token list; builds thunks so an untaken branch is never evaluated. */
class Parser {
  private at = 0;
  constructor(
    private readonly tokens: string[],
    private readonly vars: Variables,
  ) {}

  parse(): Thunk {
    const expr = this.conditional();
    if (this.at !== this.tokens.length) throw new NotEvaluable(`unexpected ${this.tokens[this.at]}`);
    return expr;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }
  private take(expected?: string): string {
    const token = this.tokens[this.at++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new NotEvaluable(`expected ${expected ?? 'more'}`);
    return token;
  }

  private conditional(): Thunk {
    const test = this.binary(0);
    if (this.peek() !== '?') return test;
    this.take('?');
    const whenTrue = this.conditional();
    this.take(':');
    const whenFalse = this.conditional();
    return () => (test() === true ? whenTrue() : whenFalse());
  }

  private static readonly LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!='], ['<', '>', '<=', '>=']];

  private binary(level: number): Thunk {
    if (level === Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    while (Parser.LEVELS[level].includes(this.peek() ?? '')) {
      const op = this.take();
      const l = left;
      const r = this.binary(level + 1);
      left = () => applyOperator(op, l, r);
    }
    return left;
  }

  private unary(): Thunk {
    if (this.peek() !== '!') return this.postfix();
    this.take('!');
    const operand = this.unary();
    return () => !operand();
  }

  private postfix(): Thunk {
    let value = this.primary();
    while (this.peek() === '[') {
      this.take('[');
      const index = this.conditional();
      this.take(']');
      const base = value;
      value = () => indexInto(base(), index());
    }
    return value;
  }

  private primary(): Thunk {
    const token = this.take();
    if (token.startsWith('"')) {
      const text = JSON.parse(token) as string;
      return () => text;
    }
    if (/^-?\d/.test(token)) return () => Number(token);
    if (token === 'true' || token === 'false') return () => token === 'true';
    if (token === 'null') return () => null;
    if (token === '(') {
      const inner = this.conditional();
      this.take(')');
      return inner;
    }
    if (token === '[') return this.list(this.sequence(']', () => this.conditional()));
    if (token === '{') return this.object();
    if (token === 'var') {
      this.take('.');
      const name = this.take();
      return () => {
        if (!(name in this.vars)) throw new NotEvaluable(`unknown variable ${name}`);
        return this.vars[name];
      };
    }
    if (!/^[A-Za-z_]/.test(token)) throw new NotEvaluable(`unexpected ${token}`);
    if (this.peek() === '(') {
      this.take('(');
      const args = this.sequence(')', () => this.conditional());
      const fn = Object.hasOwn(FUNCTIONS, token) ? FUNCTIONS[token] : undefined;
      return () => {
        if (!fn) throw new NotEvaluable(`function ${token}`);
        return fn(args.map((a) => a()));
      };
    }
    // A reference to something only Terraform knows (data.x.y, local.z): fails only if evaluated.
    while (this.peek() === '.') {
      this.take('.');
      this.take();
    }
    return () => {
      throw new NotEvaluable(`reference ${token}`);
    };
  }

  private sequence<T>(close: string, item: () => T): T[] {
    const items: T[] = [];
    while (this.peek() !== close) {
      items.push(item());
      if (this.peek() === ',') this.take(',');
    }
    this.take(close);
    return items;
  }

  private list(items: Thunk[]): Thunk {
    return () => items.map((item) => item());
  }

  private object(): Thunk {
    const entries = this.sequence('}', () => {
      const key = this.take();
      this.take('=');
      return [key.startsWith('"') ? (JSON.parse(key) as string) : key, this.conditional()] as const;
    });
    return () => Object.fromEntries(entries.map(([k, v]) => [k, v()]));
  }
}

function applyOperator(op: string, left: Thunk, right: Thunk): HclValue {
  if (op === '&&') return left() === true && right() === true;
  if (op === '||') return left() === true || right() === true;
  const [l, r] = [left(), right()];
  switch (op) {
    case '==':
      return JSON.stringify(l) === JSON.stringify(r);
    case '!=':
      return JSON.stringify(l) !== JSON.stringify(r);
    case '<':
      return Number(l) < Number(r);
    case '>':
      return Number(l) > Number(r);
    case '<=':
      return Number(l) <= Number(r);
    default:
      return Number(l) >= Number(r);
  }
}

function indexInto(base: HclValue, index: HclValue): HclValue {
  const found = Array.isArray(base) ? base[Number(index)] : (base as Record<string, HclValue> | null)?.[String(index)];
  if (found === undefined) throw new NotEvaluable(`no element ${String(index)}`);
  return found;
}

/** Splits `a${x}b` into literal and expression parts; `$${` is Terraform's escape for a literal `${`. */
function templateParts(text: string): ({ literal: string } | { expression: string })[] {
  const parts: ({ literal: string } | { expression: string })[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = closingBrace(text, i + 2);
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ expression: text.slice(i + 2, end) });
      i = end + 1;
    } else {
      literal += text[i++];
    }
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

function closingBrace(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new NotEvaluable('unterminated interpolation');
}

/**
 * The value of a Terraform JSON string for these variables. A lone `${expr}` keeps its type (a bool stays a
 * bool); a template with text around it yields a string. Returns the text unchanged when it is not evaluable.
 */
export function evaluateTemplate(text: string, vars: Variables): HclValue {
  if (!text.includes('${')) return text; // most leaves: no interpolation (and then no `$${` escape either)
  try {
    const parts = templateParts(text);
    const values = parts.map((p) => ('literal' in p ? p.literal : new Parser(tokenize(p.expression), vars).parse()()));
    return values.length === 1 ? values[0] : values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('');
  } catch (error) {
    if (error instanceof NotEvaluable || error instanceof TypeError) return text;
    throw error;
  }
}
