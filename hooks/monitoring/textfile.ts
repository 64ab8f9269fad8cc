import { lineProblem as problem } from '../../topology';

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4) as the guard writes it for
 * node_exporter's textfile collector: `# HELP`, `# TYPE` (before the family's samples), samples
 * `name{label="value",...} value` without timestamps. Anything else is an InputError naming file:line.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: Sample[];
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\["\\\\n])*"';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? ([+-]?(?:\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?|Inf|NaN))$`);
const TYPES = new Set(['counter', 'gauge', 'untyped', 'histogram', 'summary']);

export function parseExposition(text: string, source: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  if (text !== '' && lines[lines.length - 1] !== '') problem(`${source}:${lines.length}`, 'the file does not end with a newline');
  lines.slice(0, -1).forEach((line, i) => {
    const where = `${source}:${i + 1}`;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (!new RegExp(`^${NAME}$`).test(meta[2])) problem(where, `${JSON.stringify(meta[2])} is not a metric name`);
      if (meta[1] === 'TYPE') {
        if (!TYPES.has(meta[3])) problem(where, `TYPE ${JSON.stringify(meta[3])} is not one of ${[...TYPES].join(', ')}`);
        if (types.has(meta[2])) problem(where, `a second TYPE line for ${meta[2]}`);
        if (samples.some((s) => s.name === meta[2])) problem(where, `TYPE of ${meta[2]} after its samples`);
        types.set(meta[2], meta[3]);
      } else help.set(meta[2], meta[3]);
      return;
    }
    if (line.startsWith('#')) return;
    const m = SAMPLE.exec(line);
    if (!m) problem(where, `${JSON.stringify(line)} is not a sample line (name{label="value",...} value)`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"/g) ?? []) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    if (types.get(m[1]) === 'counter' && !m[1].endsWith('_total')) problem(where, `counter ${m[1]} does not end with _total`);
    samples.push({ name: m[1], labels, value: Number(m[3].replace('Inf', 'Infinity')) });
  });
  return { samples, types, help };
}
