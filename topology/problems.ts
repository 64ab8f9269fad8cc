import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { ZodArray, ZodDefault, ZodEffects, ZodNullable, ZodObject, ZodOptional, type ZodIssue, type ZodTypeAny, type output } from 'zod';
import { parseJsonInput, repeatedKey } from './json-input';

/** One thing wrong with an input file: where, what value, and what would be right. */
export interface Problem {
  readonly path: (string | number)[];
  /** The requirement or the fix, phrased so the operator knows what to write. */
  readonly message: string;
}

/** Thrown for bad input: every problem found, each naming the file, the path and the bad value. CLI exit code 2. */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly lines: string[],
  ) {
    super(lines.join('\n'));
    this.name = 'InputError';
  }
}

/**
 * Bad input on one line of a text file (`file:line`): `where` and `problem` are kept apart so that a lenient
 * reader can list the problem under its own `where` without parsing the message back.
 */
export class LineInputError extends InputError {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(where, [`${where}: ${problem}`]);
  }
}

/** Throws a LineInputError: the line at `where` breaks the file's grammar as `problem` says. */
export function lineProblem(where: string, problem: string): never {
  throw new LineInputError(where, problem);
}

/** `['vms', 2, 'ip']` -> `vms[2].ip` */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** At most this many problems are described: past it the operator fixes the first ones and runs again. */
export const MAX_PROBLEMS_SHOWN = 50;
/** Alias expansions a document may make: a topology needs none, a "billion laughs" needs millions. */
const MAX_ALIAS_COUNT = 100;
/**
 * Above this size a text is read by the fast parsers (JSON.parse, js-yaml: 10-20x faster than the yaml package,
 * which keeps every node's position): a 5 MB topology is checked in well under 2 s. Its problems then name
 * the path without the line.
 */
const LARGE_INPUT_CHARS = 1024 * 1024;
/** How much of a value a problem shows. */
const SHOWN_CHARS = 60;
/** Field names whose value is a secret wherever they appear (an inline password under a misspelt parent too). */
const SECRET_KEY = /pas+w|pwd|secret|token|privat|consumer_?key|access_?key|credential/i;

/**
 * The value at `path` as JSON, cut at SHOWN_CHARS, with every secret inside it masked: a problem on a parent
 * (`sites`) must not echo the password of one of its children. Walks no further than it prints.
 * Numbers JSON cannot write (`.inf`, `.nan`) show as YAML writes them.
 */
function preview(value: unknown, path: readonly (string | number)[], isSecret: (path: readonly (string | number)[]) => boolean): string {
  let out = '';
  const write = (text: string) => {
    out += text;
    if (out.length > SHOWN_CHARS) throw preview; // enough: stop walking
  };
  const walk = (node: unknown, at: (string | number)[]): void => {
    const key = at[at.length - 1];
    if (at.length > path.length && ((typeof key === 'string' && SECRET_KEY.test(key)) || isSecret(at))) return write('"***"');
    if (typeof node === 'number' && !Number.isFinite(node)) return write(Number.isNaN(node) ? '.nan' : node > 0 ? '.inf' : '-.inf');
    if (Array.isArray(node)) {
      write('[');
      node.forEach((item, i) => (i && write(','), walk(item, [...at, i])));
      return write(']');
    }
    if (node !== null && typeof node === 'object') {
      write('{');
      Object.entries(node).forEach(([k, v], i) => (i && write(','), write(`${JSON.stringify(k)}:`), walk(v, [...at, k])));
      return write('}');
    }
    write(JSON.stringify(node) ?? String(node));
  };
  try {
    walk(value, [...path]);
  } catch (e) {
    if (e !== preview) throw e;
  }
  return out.length > SHOWN_CHARS ? `${out.slice(0, SHOWN_CHARS - 3)}...` : out;
}

/**
 * Reads a large text with the fast parsers. js-yaml shares an aliased node instead of copying it, so a
 * "billion laughs" loads small but would be walked a billion times by the validation: a value that has more
 * nodes than the text has characters was multiplied by aliases, and is refused.
 */
function parseLarge(file: string, text: string): { data?: unknown; errors: string[] } {
  let data: unknown;
  const json = /^\uFEFF?\s*\{/.test(text);
  try {
    data = json ? JSON.parse(text.replace(/^\uFEFF/, '')) : loadYaml(text, { schema: CORE_SCHEMA, filename: file });
  } catch (e) {
    return { errors: [`${file}: syntax error: ${(e as Error).message.split('\n')[0]}`] };
  }
  // JSON.parse keeps the last of a repeated key without a word (js-yaml and the yaml package refuse it).
  const repeated = json ? repeatedKey(text) : undefined;
  if (repeated !== undefined) return { errors: [`${file}: syntax error: the key ${JSON.stringify(repeated)} appears twice in one object: keep one`] };
  let budget = text.length;
  const walk = (node: unknown): boolean => {
    if (--budget < 0) return false;
    if (node === null || typeof node !== 'object') return true;
    return Object.values(node).every(walk);
  };
  return walk(data) ? { data, errors: [] } : { errors: [aliasBomb(file)] };
}

function aliasBomb(file: string): string {
  return `${file}: refused: its YAML aliases (*name) expand it beyond ${MAX_ALIAS_COUNT} copies or its own size; write the values out instead of aliasing them`;
}

/** A parsed source file that can name the line of any path (YAML and JSON alike: JSON is YAML). */
export class SourceFile {
  private readonly lineCounter = new LineCounter();
  /** Absent for a large text (read by the fast parsers): its problems name the path, not the line. */
  private readonly doc;
  readonly data: unknown;
  readonly syntaxErrors: string[];

  /**
   * `isSecret` names the paths whose value must never be echoed (a secret written inline by mistake):
   * problems there name the path without the value, and values shown for a parent mask them.
   */
  constructor(
    readonly file: string,
    text: string,
    private readonly isSecret: (path: readonly (string | number)[]) => boolean = () => false,
  ) {
    if (text.length > LARGE_INPUT_CHARS) {
      this.doc = undefined;
      ({ data: this.data, errors: this.syntaxErrors } = parseLarge(file, text));
      return;
    }
    const doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    this.doc = doc;
    this.syntaxErrors = doc.errors.slice(0, MAX_PROBLEMS_SHOWN).map((e) => {
      const pos = this.lineCounter.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: syntax error: ${e.message.split('\n')[0]}`;
    });
    if (doc.errors.length > MAX_PROBLEMS_SHOWN) this.syntaxErrors.push(`${file}: ... and ${doc.errors.length - MAX_PROBLEMS_SHOWN} more syntax errors: fix these first, then check again`);
    if (this.syntaxErrors.length) return;
    try {
      this.data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // The yaml package's guard against alias bombs ("billion laughs") throws a ReferenceError.
      if (!(e instanceof ReferenceError)) throw e;
      this.syntaxErrors = [aliasBomb(file)];
    }
  }

  /** Line of the deepest existing node on `path` (the parent's line for a missing field). */
  lineOf(path: readonly (string | number)[]): number | undefined {
    if (!this.doc) return undefined;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  }

  describe(problem: Problem): string {
    const line = this.lineOf(problem.path);
    const where = line ? `${this.file}:${line}` : this.file;
    const path = formatPath(problem.path) || '(top level)';
    const last = problem.path[problem.path.length - 1];
    const secret = this.isSecret(problem.path) || (typeof last === 'string' && SECRET_KEY.test(last));
    const value = secret ? undefined : valueAt(this.data, problem.path);
    return value === undefined ? `${where}: ${path}: ${problem.message}` : `${where}: ${path} = ${preview(value, problem.path, this.isSecret)}: ${problem.message}`;
  }

  /** The first MAX_PROBLEMS_SHOWN problems described, then how many more there are (`complete`: all were counted). */
  fail(problems: readonly Problem[], complete = true): InputError {
    const lines = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => this.describe(p));
    const more = problems.length - MAX_PROBLEMS_SHOWN;
    if (more > 0 || !complete) {
      lines.push(complete ? `${this.file}: ... and ${more} more problems: fix these first, then check again` : `${this.file}: ... and more problems (checking stopped here): fix these first, then check again`);
    }
    return new InputError(this.file, lines);
  }
}

/**
 * Parses `text` (YAML or JSON), validates it with `schema`, then with `rules` over the parsed value. Throws an
 * InputError listing the problems of the first stage that has any (at most MAX_PROBLEMS_SHOWN, then a count),
 * each with file, line, path and value (except the value of a path `isSecret` names).
 */
export function parseInput<S extends ZodTypeAny>(
  file: string,
  text: string,
  schema: S,
  rules: (data: output<S>) => Problem[],
  isSecret?: (path: readonly (string | number)[]) => boolean,
): output<S> {
  // A .json file that passes is done without the line-aware parser; any problem takes the path that names lines.
  // The long-list check comes first: zod would build an issue per bad item of a huge list before answering.
  const json = parseJsonInput(file, text);
  if (json !== undefined && !firstItemIssues(schema, json).length) {
    const fast = schema.safeParse(json);
    if (fast.success && rules(fast.data).length === 0) return fast.data;
  }
  const source = new SourceFile(file, text, isSecret);
  if (source.syntaxErrors.length) throw new InputError(file, source.syntaxErrors);
  const early = firstItemIssues(schema, source.data);
  if (early.length) throw source.fail(problemsFromZod(early), false);
  const parsed = schema.safeParse(source.data);
  if (!parsed.success) throw source.fail(problemsFromZod(parsed.error.issues));
  const problems = rules(parsed.data);
  if (problems.length) throw source.fail(problems);
  return parsed.data;
}

/**
 * The issues of the items of the long top-level lists, stopping once MAX_PROBLEMS_SHOWN are found: zod cannot
 * stop early, and a 5 MB list of bad items would make a million issues (seconds of work, most never shown).
 * Empty when fewer are found: the full validation then reports them with the rest.
 */
function firstItemIssues(schema: ZodTypeAny, data: unknown): ZodIssue[] {
  const shape = objectShape(schema);
  if (!shape || data === null || typeof data !== 'object') return [];
  const issues: ZodIssue[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const items = (data as Record<string, unknown>)[key];
    const element = arrayElement(field);
    if (!element || !Array.isArray(items) || items.length <= MAX_PROBLEMS_SHOWN) continue;
    for (let i = 0; i < items.length && issues.length < MAX_PROBLEMS_SHOWN; i++) {
      const result = element.safeParse(items[i]);
      if (!result.success) issues.push(...result.error.issues.map((issue) => ({ ...issue, path: [key, i, ...issue.path] })));
    }
  }
  return issues.length >= MAX_PROBLEMS_SHOWN ? issues : [];
}

function unwrap(schema: ZodTypeAny): ZodTypeAny {
  if (schema instanceof ZodOptional || schema instanceof ZodNullable) return unwrap(schema.unwrap());
  if (schema instanceof ZodDefault) return unwrap(schema.removeDefault());
  if (schema instanceof ZodEffects) return unwrap(schema.innerType());
  return schema;
}

function objectShape(schema: ZodTypeAny): Record<string, ZodTypeAny> | undefined {
  const inner = unwrap(schema);
  return inner instanceof ZodObject ? (inner.shape as Record<string, ZodTypeAny>) : undefined;
}

function arrayElement(schema: ZodTypeAny): ZodTypeAny | undefined {
  const inner = unwrap(schema);
  return inner instanceof ZodArray ? (inner.element as ZodTypeAny) : undefined;
}

/** Turns zod issues into problems whose message says what to write. */
export function problemsFromZod(issues: readonly ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    switch (issue.code) {
      case 'invalid_type':
        out.push({
          path: issue.path,
          message: issue.received === 'undefined' ? `is required: add it (${issue.expected})` : `must be ${article(issue.expected)}, not ${article(issue.received)}`,
        });
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ path: [...issue.path, key], message: 'is not a known field: remove it or fix its spelling' });
        break;
      case 'invalid_enum_value':
        out.push({ path: issue.path, message: `must be one of ${issue.options.join(' | ')}` });
        break;
      case 'invalid_union_discriminator':
        out.push({ path: issue.path, message: `must be one of ${issue.options.join(' | ')}` });
        break;
      case 'invalid_literal':
        out.push({ path: issue.path, message: `must be ${JSON.stringify(issue.expected)}` });
        break;
      case 'too_small':
        out.push({ path: issue.path, message: issue.message.startsWith('must') ? issue.message : `is too small: minimum ${issue.minimum}` });
        break;
      case 'too_big':
        out.push({ path: issue.path, message: issue.message.startsWith('must') ? issue.message : `is too big: maximum ${issue.maximum}` });
        break;
      default:
        out.push({ path: issue.path, message: issue.message });
    }
  }
  return out;
}

/** `an object`, `a string`: zod's type names with their article. */
function article(typeName: string): string {
  return `${/^[aeiou]/.test(typeName) ? 'an' : 'a'} ${typeName}`;
}
