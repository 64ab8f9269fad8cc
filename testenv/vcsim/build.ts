import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../core';

const SOURCE_DIR = join(REPO_ROOT, 'testenv/vcsim');
/** Outside `.testenv/` on purpose: `testenv down` wipes that, and the build is the slow part of a cold start. */
const BUILD_DIR = join(REPO_ROOT, 'dist/vcsim');

/**
 * Builds our vcsim main offline over Debian's govmomi sources (GOPATH mode, no module proxy) and
 * returns the binary. The binary's name carries a hash of its Go sources, so it is rebuilt only when they
 * change. Reports the build time through `log`.
 */
export function buildVcsim(log: (line: string) => void = () => undefined): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.go')).sort()) hash.update(file).update(readFileSync(join(SOURCE_DIR, file)));
  const binary = join(BUILD_DIR, `vcsim-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(BUILD_DIR, { recursive: true });
  const started = Date.now();
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    execFileSync('go', ['build', '-o', partial, '.'], {
      cwd: SOURCE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GOPATH: '/usr/share/gocode',
        GO111MODULE: 'off',
        GOPROXY: 'off',
        GOFLAGS: '',
        CGO_ENABLED: '0',
        GOCACHE: join(BUILD_DIR, 'gocache'),
      },
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`testenv vcenter: go build of testenv/vcsim failed (are golang-go and golang-github-vmware-govmomi-dev installed?):\n${stderr.slice(-2000)}`);
  }
  renameSync(partial, binary); // atomic: a concurrent `up` sees either no binary or a whole one
  for (const stale of readdirSync(BUILD_DIR).filter((f) => /^vcsim-[0-9a-f]{12}$/.test(f) && join(BUILD_DIR, f) !== binary)) {
    rmSync(join(BUILD_DIR, stale), { force: true }); // builds of older sources
  }
  log(`vcenter: built vcsim in ${Date.now() - started} ms`);
  return binary;
}
