import { LineCounter, parseDocument, isNode } from 'yaml';
import type { ZodIssue, ZodTypeAny, output } from 'zod';
import { parseJsonInput } from './json-input';

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

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A parsed source file that can name the line of any path (YAML and JSON alike: JSON is YAML). */
export class SourceFile {
  private readonly lineCounter = new LineCounter();
  private readonly doc;
  readonly data: unknown;
  readonly syntaxErrors: string[];

  /**
   * `isSecret` names the paths whose value must never be echoed (a secret written inline by mistake):
   * problems there name the path without the value.
   */
  constructor(
    readonly file: string,
    text: string,
    private readonly isSecret: (path: readonly (string | number)[]) => boolean = () => false,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    this.syntaxErrors = this.doc.errors.map((e) => {
      const pos = this.lineCounter.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: syntax error: ${e.message.split('\n')[0]}`;
    });
    this.data = this.syntaxErrors.length ? undefined : this.doc.toJS();
  }

  /** Line of the deepest existing node on `path` (the parent's line for a missing field). */
  lineOf(path: readonly (string | number)[]): number | undefined {
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
    const value = this.isSecret(problem.path) ? undefined : valueAt(this.data, problem.path);
    return value === undefined ? `${where}: ${path}: ${problem.message}` : `${where}: ${path} = ${show(value)}: ${problem.message}`;
  }

  fail(problems: readonly Problem[]): InputError {
    return new InputError(this.file, problems.map((p) => this.describe(p)));
  }
}

/**
 * Parses `text` (YAML or JSON), validates it with `schema`, then with `rules` over the parsed value. Throws an
 * InputError listing every problem of the first stage that has any, each with file, line, path and value
 * (except the value of a path `isSecret` names).
 */
export function parseInput<S extends ZodTypeAny>(
  file: string,
  text: string,
  schema: S,
  rules: (data: output<S>) => Problem[],
  isSecret?: (path: readonly (string | number)[]) => boolean,
): output<S> {
  const json = parseJsonInput(file, text);
  const fast = json === undefined ? undefined : schema.safeParse(json);
  if (fast?.success && rules(fast.data).length === 0) return fast.data; // else the YAML path names the lines
  const source = new SourceFile(file, text, isSecret);
  if (source.syntaxErrors.length) throw new InputError(file, source.syntaxErrors);
  const parsed = schema.safeParse(source.data);
  if (!parsed.success) throw source.fail(problemsFromZod(parsed.error.issues));
  const problems = rules(parsed.data);
  if (problems.length) throw source.fail(problems);
  return parsed.data;
}

/** Turns zod issues into problems whose message says what to write. */
export function problemsFromZod(issues: readonly ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    switch (issue.code) {
      case 'invalid_type':
        out.push({
          path: issue.path,
          message: issue.received === 'undefined' ? `is required: add it (${issue.expected})` : `must be a ${issue.expected}, not a ${issue.received}`,
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
