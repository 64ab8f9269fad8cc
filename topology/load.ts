import { readFileSync } from 'node:fs';
import { InputError, SourceFile, problemsFromZod } from './problems';
import { topologyRules } from './rules';
import { topologySchema, type Topology } from './schema';

/** Reads and validates a topology (YAML or JSON). Throws `InputError` listing every problem. */
export function loadTopology(file: string): Topology {
  return parseTopology(file, readSource(file));
}

export function parseTopology(file: string, text: string): Topology {
  const source = new SourceFile(file, text);
  if (source.syntaxErrors.length) throw new InputError(file, source.syntaxErrors);
  const parsed = topologySchema.safeParse(source.data);
  if (!parsed.success) throw source.fail(problemsFromZod(parsed.error.issues));
  const problems = topologyRules.flatMap((rule) => rule(parsed.data));
  if (problems.length) throw source.fail(problems);
  return parsed.data;
}

export function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(file, [`${file}: cannot read (${code}): check the path, or pass the topology file as the first argument`]);
  }
}
