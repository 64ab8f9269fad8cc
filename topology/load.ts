import { readFileSync } from 'node:fs';
import { InputError, parseInput } from './problems';
import { topologyRules } from './rules';
import { isSecretPath, topologySchema, type Topology } from './schema';

/**
 * Reads and validates a topology (YAML or JSON). Throws `InputError` listing every problem.
 * `displayName` is how problems name the file (e.g. relative to where the operator stands).
 */
export function loadTopology(file: string, displayName = file): Topology {
  return parseTopology(displayName, readSource(file, 'check the path, or pass the topology file as the first argument'));
}

/** Validates a topology's text; `file` names it in messages. A secret written inline is never echoed. */
export function parseTopology(file: string, text: string): Topology {
  return parseInput(file, text, topologySchema, (topology) => topologyRules.flatMap((rule) => rule(topology)), isSecretPath);
}

/** Reads an input file. One that cannot be read is an InputError (exit 2) with the error code and `hint`: what to do about it. */
export function readSource(file: string, hint = 'check the path'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(file, [`${file}: cannot read (${code}): ${hint}`]);
  }
}
