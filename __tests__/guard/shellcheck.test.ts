import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../testenv/core';
import { GUARD } from './guest';

/** The guard runs on guests under dash or bash: shellcheck must find nothing, as sh and as its shebang says. */
const scripts = [GUARD, join(REPO_ROOT, 'guard/install/pra-guard-wrap-all'), join(REPO_ROOT, 'testenv/guest/vmware-rpctool')];

describe('shellcheck', () => {
  const runs = scripts.flatMap((script) => [
    [`${relative(REPO_ROOT, script)} (as its shebang says)`, script, []],
    [`${relative(REPO_ROOT, script)} (as POSIX sh)`, script, ['-s', 'sh']],
  ] as const);
  it.each(runs)('finds nothing in %s', (_name, script, flags) => {
    const result = spawnSync('shellcheck', [...flags, script], { encoding: 'utf8' });
    expect({ status: result.status, output: result.stdout + result.stderr, error: result.error?.message }).toEqual({ status: 0, output: '', error: undefined });
  });
});
