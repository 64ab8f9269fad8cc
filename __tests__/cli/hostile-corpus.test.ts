import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { aliasBombYaml } from '../../topology/generate';
import { copyExample, exampleInput, pra } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';
import { aPendingRun } from '../support/journals';

/**
 * A generated corpus of bad inputs (topology, state, command lines, journals), each run through the real `pra`
 * entry point in-process in a fresh project. Every one must: exit with its documented code, name the file or
 * argument at fault, print no stack trace and no secret, and change nothing on disk.
 */
const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const SECRET = 'S3cr3t-hunter2-corpus';
const RUN = '20250101T030000Z-beef';
const VALID_STATE = '{"failback_site":"rbx","enable_failback_pause_mode":false,"active_site":"rbx"}';

interface Case {
  readonly name: string;
  /** Run in the project directory (`project/`, inside a root that also holds `victim.jsonl`). */
  readonly argv: readonly string[];
  /** Prepares the project before the snapshot. */
  readonly arrange?: (project: string) => void;
  readonly code: number;
  /** What stderr must name: the file, field or argument at fault. */
  readonly names: string;
}

type Input = Record<string, any>;

/** Sets `path` (`vms.0.ip`) in the input. */
function setAt(input: Input, path: string, value: unknown): Input {
  const parts = path.split('.');
  const parent = parts.slice(0, -1).reduce((node, key) => node[key], input);
  parent[parts[parts.length - 1]] = value;
  return input;
}

const BAD_VALUES: readonly [string, unknown][] = [
  ['null', null],
  ['-1', -1],
  ['an empty string', ''],
  ['.inf', Infinity],
  ['10,000 characters', 'x'.repeat(10_000)],
  ['an object holding a password', { password: SECRET }],
  ['true', true],
];
const FIELDS = ['name', 'rtoMinutes', 'sites.0.name', 'sites.0.vcenter.url', 'sites.1.publicIp', 'vms.0.ip', 'vms.1.cpus', 'vpgs.0.rpoTargetSeconds', 'traffic.dns.ttlSeconds', 'checks.http.0.url', 'guard.deniedExitCode'];

function topologyCase(field: string, [label, value]: [string, unknown]): Case {
  const shown = field.replace(/\.(\d+)/g, '[$1]');
  return {
    name: `topology ${shown} = ${label}`,
    argv: ['validate', 'topology.yaml'],
    arrange: (p) => writeFileSync(join(p, 'topology.yaml'), stringify(setAt(exampleInput(), field, value))),
    code: 2,
    names: `topology.yaml:`,
  };
}

const BAD_FILES: readonly [string, string][] = [
  ['an empty file', ''],
  ['a YAML syntax error', 'name: app\nsites: [\n'],
  ['a JSON array', '[1, 2, 3]'],
  ['a bare scalar', '42'],
  ['binary garbage', '\u0000\u0001\u00ff\ufffd'.repeat(100)],
  ['a duplicate key', `${stringify(exampleInput())}name: other\n`],
  ['a billion laughs', aliasBombYaml('vms')],
  ['an inline secret in a site list', stringify({ ...exampleInput(), sites: [{ name: 'rbx', vcenter: { password: SECRET } }] })],
  ['2 MB of bad JSON items', JSON.stringify({ ...exampleInput(), vms: Array.from({ length: 40_000 }, (_, i) => ({ name: `bad ${i}`, apiToken: SECRET })) })],
];

const topologyFiles: Case[] = BAD_FILES.map(([label, text]) => ({
  name: `topology file: ${label}`,
  argv: ['validate', 'topology.yaml'],
  arrange: (p) => writeFileSync(join(p, 'topology.yaml'), text),
  code: 2,
  names: 'topology.yaml',
}));

const BAD_STATES: readonly [string, string][] = [
  ['an empty file', ''],
  ['a JSON array', '[]'],
  ['null', 'null'],
  ['a number for a site', '{"failback_site":1,"enable_failback_pause_mode":false,"active_site":"rbx"}'],
  ['an unknown site', '{"failback_site":"rbx","enable_failback_pause_mode":false,"active_site":"par"}'],
  ['an unknown key holding a secret', `{"failback_site":"rbx","enable_failback_pause_mode":false,"active_site":"rbx","password":"${SECRET}"}`],
  ['pause mode as text', '{"failback_site":"rbx","enable_failback_pause_mode":"yes","active_site":"rbx"}'],
  ['torn JSON', '{"failback_site":"rbx",'],
];
const stateFiles: Case[] = BAD_STATES.flatMap(([label, text]) =>
  [['validate'], ['state', 'set', 'active_site=sbg'], ['diff']].map((argv) => ({
    name: `state file (${argv.join(' ')}): ${label}`,
    argv,
    arrange: (p: string) => writeFileSync(join(p, 'failback.auto.tfvars.json'), text),
    code: 2,
    names: 'failback.auto.tfvars.json',
  })),
);
const statePaths: Case[] = [
  ['in a missing directory', 'no/such/dir/state.json'],
  ['missing', 'prod.json'],
  ['a directory', 'examples'],
].flatMap(([label, path]) =>
  [['state', 'show'], ['state', 'set', 'active_site=sbg'], ['validate'], ['diff']].map((argv) => ({ name: `--state ${label} (${argv.join(' ')})`, argv: [...argv, '--state', path], code: 2, names: path })),
);

const commandLines: Case[] = (
  [
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['status', '--bogus'], 'pra status'],
    [['status', 'extra'], 'pra status: takes no arguments'],
    [['runs', 'extra'], 'pra runs: takes no arguments'],
    [['approve'], 'needs the RUN id'],
    [['approve', RUN], 'needs --gate'],
    [['approve', RUN, '--gate', 'validation'], 'needs --comment'],
    [['approve', RUN, '--gate', 'validation', '--comment', '   '], 'needs --comment'],
    [['approve', RUN, '--gate', 'activation', '--comment', 'ok'], 'not waiting on gate activation'],
    [['resume'], 'needs exactly one RUN id'],
    [['resume', RUN, RUN], 'needs exactly one RUN id'],
    [['rollback'], 'needs exactly one RUN id'],
    [['report'], 'give exactly one run id'],
    [['report', RUN, '--format', 'pdf'], '--format "pdf"'],
    [['report', RUN, '--out', 'no/such/dir/r.md'], 'no/such/dir/r.md: cannot write: its directory does not exist'],
    [['state'], 'expected show or set'],
    [['state', 'frobnicate'], 'expected show or set'],
    [['state', 'set'], 'needs at least one KEY=VALUE'],
    [['state', 'set', 'foo=bar'], 'unknown state key "foo"'],
    [['state', 'set', 'active_site'], 'missing value'],
    [['state', 'set', 'enable_failback_pause_mode=yes'], 'must be true or false'],
    [['state', 'set', 'active_site=par'], 'active_site=par: must be a site'],
    [['state', 'show', 'extra'], 'takes no arguments'],
    [['diff', '--to-state', 'nope=1'], 'unknown state key "nope"'],
    [['plan', 'extra'], 'pra plan: takes no arguments'],
    [['plan', '--to', 'par'], 'pra plan'],
    [['failback'], '--to must name a site'],
    [['failback', '--to', 'par'], '--to must name a site'],
    [['failback', '--to', 'rbx'], 'rbx is already the active site'],
    [['failback', '--to', 'sbg', '--force'], '--force is for pra failover'],
    [['failover', '--to', 'mars'], '--to must name a site'],
    [['audit'], 'give at least one --ledger'],
    [['audit', '--ledger', 'missing.log'], 'missing.log'],
    [['check-stale'], 'give --max-blocked'],
    [['check-stale', '--max-blocked', 'soon', '--ledger', 'l'], '--max-blocked "soon" is not a duration'],
    [['vpg'], 'expected the subcommand sync'],
    [['vpg', 'sync', '--topology', 'missing.yaml'], 'missing.yaml: cannot read (ENOENT)'],
    [['validate', 'a.yaml', 'b.yaml'], 'takes one topology file'],
    [['validate', 'missing.yaml'], 'missing.yaml: cannot read (ENOENT)'],
    [['validate', 'examples'], 'examples: cannot read (EISDIR)'],
    [['drill', '--validate', 'soon'], '--validate takes seconds'],
    [['runs', '--journal-dir', 'failback.auto.tfvars.json'], 'failback.auto.tfvars.json: is not a directory'],
  ] as const
).map(([argv, names]) => ({ name: `command line: pra ${argv.join(' ')}`, argv, code: 2, names, arrange: (p: string) => aPendingRun(join(p, 'runs'), RUN) }));

const RUN_IDS = ['../victim', '/etc/passwd', `${RUN}/../../victim`, 'RUN; rm -rf /', '..'];
const runIds: Case[] = RUN_IDS.flatMap((id) =>
  [['resume'], ['rollback'], ['report'], ['approve', '--gate', 'validation', '--comment', 'ok']].map(([verb, ...rest]) => ({
    name: `run id ${JSON.stringify(id)} (pra ${verb})`,
    argv: [verb, id, ...rest],
    code: 2,
    names: `run id ${JSON.stringify(id)} is not a run id`,
  })),
);

const BAD_JOURNALS: readonly [string, string, string][] = [
  ['a garbage middle line', '{"seq":1,"type":"run.started","steps":[]}\ngarbage\n{"seq":3,"type":"x"}\n', 'line 2 is not valid JSON'],
  ['an empty file', '', 'it is empty'],
  ['a line of the wrong shape', '"just a string"\n', 'line 1 is not a journal event'],
  ['a first event that is not run.started', '{"seq":1,"type":"approval.given","gate":"g"}\n', 'its first event is not a run.started'],
  ['binary garbage', '\u0000\u0001\u0002\n', 'line 1 is not valid JSON'],
];
const journals: Case[] = BAD_JOURNALS.flatMap(([label, text, problem]) =>
  [['runs'], ['resume', '20250101T040000Z-dead'], ['report', '20250101T040000Z-dead'], ['approve', '20250101T040000Z-dead', '--gate', 'validation', '--comment', 'ok']].map((argv) => ({
    name: `journal with ${label} (pra ${argv[0]})`,
    argv,
    arrange: (p: string) => {
      aPendingRun(join(p, 'runs'), RUN);
      writeFileSync(join(p, 'runs', '20250101T040000Z-dead.jsonl'), text);
    },
    code: 2,
    names: `${join('runs', '20250101T040000Z-dead.jsonl')}: ${problem}`,
  })),
);

const corpus: Case[] = [...FIELDS.flatMap((f) => BAD_VALUES.map((v) => topologyCase(f, v))), ...topologyFiles, ...stateFiles, ...statePaths, ...commandLines, ...runIds, ...journals];

/** Every file under `dir` with a hash of its content: what "nothing changed on disk" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at)) {
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('the hostile-input corpus', () => {
  it('holds at least 100 bad inputs across topology, state, command lines and journals', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    for (const kind of ['topology', 'state', 'command line', 'run id', 'journal']) expect(corpus.some((c) => c.name.startsWith(kind))).toBe(true);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s: documented exit code, names what is wrong, no stack, no secret, nothing changed', async (_name, c) => {
    const root = dirs.make('pra-corpus-');
    const project = join(root, 'project');
    mkdirSync(project);
    copyExample(project);
    writeFileSync(join(project, 'failback.auto.tfvars.json'), VALID_STATE);
    writeFileSync(join(root, 'victim.jsonl'), '{"keep":"me"}\ntorn');
    c.arrange?.(project);
    const before = snapshot(root);
    const env = { PRA_JOURNAL_DIR: 'runs', PRA_OPERATOR: 'corpus', ZERTO_PASSWORD: SECRET, VCENTER_PASSWORD: SECRET };
    const { code, stdout, stderr } = await pra(c.argv, { cwd: project, env });
    expect({ code, stderr }).toEqual({ code: c.code, stderr: expect.stringContaining(c.names) });
    expect(stderr).not.toMatch(/\n\s+at \S+ \(|\n\s+at .+:\d+:\d+/);
    expect(`${stdout}${stderr}`).not.toContain(SECRET);
    expect(snapshot(root)).toEqual(before);
  }, 10_000);
});
