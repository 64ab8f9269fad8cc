import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InputError, generateTopologyInput, loadTopology } from '../../topology';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

function write(name: string, text: string): string {
  const file = join(dirs.make('pra-json-input-'), name);
  writeFileSync(file, text);
  return file;
}

function problemsOf(file: string): string[] {
  try {
    loadTopology(file, 'topology.json');
  } catch (error) {
    if (error instanceof InputError) return error.lines;
    throw error;
  }
  throw new Error(`${file} loaded without problems`);
}

describe('a .json topology (JSON.parse fast path)', () => {
  const input = generateTopologyInput({ vms: 6, vmsPerVpg: 2 });

  it('loads to the same topology as the same document written in YAML', () => {
    expect(loadTopology(write('topology.json', JSON.stringify(input, null, 2)))).toEqual(loadTopology(write('topology.yaml', stringify(input))));
  });

  it('still refuses a repeated key, naming its line, as the YAML parser does', () => {
    const text = JSON.stringify(input, null, 2).replace('"name": "generated",', '"name": "generated",\n  "name": "other",');
    expect(problemsOf(write('topology.json', text))).toEqual([expect.stringMatching(/^topology\.json:3:\d+: syntax error: Map keys must be unique/)]);
  });

  it('refuses a repeated key in a text too large for the line-aware parser, naming the key', () => {
    const large = generateTopologyInput({ vms: 5000, vmsPerVpg: 50 });
    const text = JSON.stringify(large, null, 2).replace('"name": "generated",', '"name": "generated",\n  "name": "other",');
    expect(text.length).toBeGreaterThan(1024 * 1024);
    expect(problemsOf(write('topology.json', text))).toEqual(['topology.json: syntax error: the key "name" appears twice in one object: keep one']);
  });

  it('still names the line of a problem', () => {
    const bad = { ...input, vms: input.vms.map((vm, i) => (i === 1 ? { ...vm, ip: '10.100.0.300' } : vm)) };
    const lines = problemsOf(write('topology.json', JSON.stringify(bad, null, 2)));
    expect(lines).toContainEqual(expect.stringMatching(/^topology\.json:\d+: vms\[1\]\.ip = "10\.100\.0\.300": /));
  });
});
