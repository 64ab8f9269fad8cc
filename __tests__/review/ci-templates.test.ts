import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const run = promisify(execFile);
const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const GITHUB = join(REPO, 'examples', 'ci', 'github-actions.yml');
const GITLAB = join(REPO, 'examples', 'ci', 'gitlab-ci.yml');
const VALIDATOR = join(REPO, 'node_modules', '.bin', 'action-validator');

/** The review commands the README lists, one per line of its `sh` block under "Reviewing a change". */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Reviewing a change in a pull request'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.trim().split('\n');
}

async function validate(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(VALIDATOR, [file], { cwd: REPO });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe('examples/ci/github-actions.yml', () => {
  it('is a valid workflow for @action-validator/cli (which refuses a broken one)', async () => {
    expect(await validate(GITHUB)).toEqual({ code: 0, output: expect.not.stringContaining('"errors"') });
    const broken = join(dirs.make('pra-ci-'), 'workflow.yml');
    writeFileSync(broken, readFileSync(GITHUB, 'utf8').replace('runs-on:', 'runs_on:'));
    expect((await validate(broken)).code).toBe(1);
  });

  it('runs exactly the README commands, on pull requests, and may write one comment', () => {
    const workflow = parse(readFileSync(GITHUB, 'utf8'));
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const steps = workflow.jobs.review.steps as { run?: string; uses?: string; with?: { script?: string } }[];
    expect(steps.filter((s) => s.run).map((s) => s.run)).toEqual(readmeCommands());
    const script = steps.find((s) => s.uses?.startsWith('actions/github-script@'))?.with?.script ?? '';
    expect(script).toContain('github.rest.issues.updateComment');
    expect(script).toContain("readFileSync('pra-diff.md'");
  });
});

describe('examples/ci/gitlab-ci.yml', () => {
  const job = parse(readFileSync(GITLAB, 'utf8'))['pra-review'];
  const script = job.script as string[];

  it('runs the README commands on merge requests', () => {
    expect(job.rules[0].if).toBe('$CI_PIPELINE_SOURCE == "merge_request_event"');
    expect(script.slice(1, 5)).toEqual(readmeCommands());
  });

  it('posts one note, then updates it on the next push', async () => {
    const notes: { id: number; body: string; system: boolean }[] = [{ id: 1, body: 'LGTM', system: false }];
    const seen: string[] = [];
    const server = createServer(async (req: IncomingMessage, res) => {
      let text = '';
      for await (const chunk of req) text += chunk;
      seen.push(`${req.method} ${req.url} ${req.headers['private-token']}`);
      const path = (req.url ?? '').split('?')[0];
      const page = Number(new URL(req.url ?? '', 'http://x').searchParams.get('page') ?? 1);
      if (req.method === 'GET') res.end(JSON.stringify(page === 1 ? notes : []));
      else if (req.method === 'POST') {
        notes.push({ id: 2, body: JSON.parse(text).body, system: false });
        res.end(JSON.stringify(notes[1]));
      } else if (req.method === 'PUT' && path.endsWith('/notes/2')) {
        notes[1].body = JSON.parse(text).body;
        res.end(JSON.stringify(notes[1]));
      } else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const dir = dirs.make('pra-ci-');
      const env = {
        ...process.env,
        CI_API_V4_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`,
        CI_PROJECT_ID: '7',
        CI_MERGE_REQUEST_IID: '42',
        PRA_REVIEW_TOKEN: 'glpat-test',
      };
      const post = script[5];
      for (const review of ['first push', 'second push']) {
        writeFileSync(join(dir, 'pra-diff.md'), review);
        await run('sh', ['-c', post], { cwd: dir, env });
      }
      expect(notes.map((n) => n.body)).toEqual(['LGTM', '<!-- pra diff -->\nsecond push']);
      expect(seen).toEqual([
        'GET /api/v4/projects/7/merge_requests/42/notes?per_page=100&page=1 glpat-test',
        'GET /api/v4/projects/7/merge_requests/42/notes?per_page=100&page=2 glpat-test',
        'POST /api/v4/projects/7/merge_requests/42/notes glpat-test',
        'GET /api/v4/projects/7/merge_requests/42/notes?per_page=100&page=1 glpat-test',
        'PUT /api/v4/projects/7/merge_requests/42/notes/2 glpat-test',
      ]);
    } finally {
      server.close();
    }
  });
});
