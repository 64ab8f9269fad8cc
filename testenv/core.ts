import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../hooks/drivers/common/atomic-file';
import { realSleep } from '../hooks/drivers/common/retry';

/**
 * The local test environment: real servers (Debian packages) and our simulators, on 127.0.0.1 only,
 * started once and shared by tests, the drill and the benchmarks. State lives in `.testenv/` of the
 * checkout (or PRA_TESTENV_DIR), so two checkouts never share servers.
 */

export const REPO_ROOT = resolve(__dirname, existsSync(resolve(__dirname, '../package.json')) ? '..' : '../..');
export const STATE_DIR = process.env.PRA_TESTENV_DIR ?? join(REPO_ROOT, '.testenv');
const STATE_FILE = join(STATE_DIR, 'state.json');
export const ENV_FILE = join(STATE_DIR, 'env');
/** The topology every simulator models (vCenter inventories, Zerto VPGs): the shipped example. */
export const EXAMPLE_TOPOLOGY = join(REPO_ROOT, 'examples/ovh-rbx-sbg.yaml');

export type Env = Record<string, string>;

export interface ServiceContext {
  /** This service's own directory under the state dir (config, data, logs). */
  readonly dir: string;
  /** Entries written by the services started before this one (endpoints, credentials, CA file). */
  readonly env: Env;
  freePort(): Promise<number>;
  /** Starts a long-running process detached from us, logging to `<dir>/<name>.log`; its pid is recorded. */
  daemon(name: string, command: string, args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): number;
  /** Resolves when 127.0.0.1:port accepts connections; throws with the log's tail after `timeoutMs`. */
  waitForPort(port: number, logName: string, timeoutMs?: number): Promise<void>;
  /**
   * Resolves when the log `<dir>/<logName>.log` holds `marker`; throws with the log's tail after `timeoutMs`,
   * or as soon as the daemon started under `logName` has exited.
   */
  waitForLog(logName: string, marker: string, timeoutMs?: number): Promise<void>;
}

export interface Service {
  readonly name: string;
  /** Debian packages this service needs; installed with apt when missing (as root). */
  readonly debianPackages: readonly string[];
  /** Starts the service and returns the env entries other code uses to reach it (prefix `PRA_TESTENV_`). */
  start(ctx: ServiceContext): Promise<Env>;
  /** Optional liveness check of a recorded instance; a failing one is restarted by `up`. */
  healthy?(env: Env): Promise<boolean>;
}

interface ServiceState {
  pids: number[];
  env: Env;
}
interface State {
  services: Record<string, ServiceState>;
}

function readState(): State {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as State;
  } catch {
    return { services: {} };
  }
}

/** Both files hold every service's credentials: readable by their owner only. */
function writeState(state: State): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileAtomic(STATE_FILE, JSON.stringify(state, null, 2), 0o600);
  const env = mergedEnv(state);
  writeFileAtomic(ENV_FILE, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', 0o600);
}

function mergedEnv(state: State): Env {
  return Object.assign({}, ...Object.values(state.services).map((s) => s.env));
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * The packages of `packages` that are not installed, by one dpkg-query for all of them (it exits 1 when it
 * knows a name not at all, and still prints the others: its output is read whatever the exit status).
 */
function missingDebianPackages(packages: readonly string[]): string[] {
  const wanted = [...new Set(packages)];
  if (!wanted.length) return [];
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...wanted], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  const installed = new Set(
    (query.stdout ?? '')
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.slice(0, line.indexOf(' '))),
  );
  return wanted.filter((p) => !installed.has(p));
}

/** Installs missing Debian packages (as root, with a lock timeout). Non-root: says what to install. */
function ensureDebianPackages(packages: readonly string[], log: (line: string) => void = () => undefined): void {
  const missing = missingDebianPackages(packages);
  if (!missing.length) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`testenv: missing Debian packages: ${missing.join(' ')}; install them with apt-get (as root) and retry`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const apt = (args: string[]) =>
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['install', '-y', '--no-install-recommends', ...missing]);
  } catch {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', ...missing]);
  }
}

/** Polls `ready` every 25 ms; throws `failure()` once `timeoutMs` passed or `alive()` says the wait is vain. */
async function waitUntil(ready: () => boolean | Promise<boolean>, timeoutMs: number, alive: () => boolean, failure: () => Error): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline || !alive()) throw failure();
    await realSleep(25);
  }
}

function contextFor(service: Service, env: Env, pids: number[]): ServiceContext {
  const dir = join(STATE_DIR, service.name);
  mkdirSync(dir, { recursive: true });
  const logOf = (name: string) => join(dir, `${name}.log`);
  const daemons = new Map<string, number>();
  return {
    dir,
    env,
    freePort,
    daemon(name, command, args, options = {}) {
      const fd = openSync(logOf(name), 'a');
      const child = spawn(command, args, { cwd: options.cwd ?? dir, env: options.env ?? process.env, detached: true, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child.unref();
      if (!child.pid) throw new Error(`testenv ${service.name}: could not start ${command}`);
      pids.push(child.pid);
      daemons.set(name, child.pid);
      return child.pid;
    },
    waitForPort(port, logName, timeoutMs = 20000) {
      return waitUntil(() => portOpen(port), timeoutMs, () => true, () =>
        new Error(`testenv ${service.name}: port ${port} not open after ${timeoutMs} ms; log ${logOf(logName)}:\n${tail(logOf(logName))}`),
      );
    },
    waitForLog(logName, marker, timeoutMs = 30000) {
      const pid = daemons.get(logName);
      const logged = () => existsSync(logOf(logName)) && readFileSync(logOf(logName), 'utf8').includes(marker);
      return waitUntil(logged, timeoutMs, () => pid === undefined || pidAlive(pid), () =>
        new Error(`testenv ${service.name}: ${logName} did not log "${marker}"; log ${logOf(logName)}:\n${tail(logOf(logName))}`),
      );
    },
  };
}

async function isRunning(service: Service, recorded: ServiceState | undefined): Promise<boolean> {
  if (!recorded || !recorded.pids.every(pidAlive)) return false;
  return service.healthy ? service.healthy(recorded.env) : true;
}

/**
 * Starts every service not already running (idempotent) and returns the merged env.
 * Services start in list order: a later one may use the env of an earlier one.
 */
export async function up(services: readonly Service[], log: (line: string) => void = () => undefined): Promise<Env> {
  const state = readState();
  ensureDebianPackages(services.flatMap((s) => s.debianPackages), log);
  for (const service of services) {
    const recorded = state.services[service.name];
    if (await isRunning(service, recorded)) continue;
    if (recorded) stopPids(recorded.pids);
    const pids: number[] = [];
    const started = Date.now();
    try {
      const env = await service.start(contextFor(service, mergedEnv(state), pids));
      state.services[service.name] = { pids, env };
    } catch (error) {
      stopPids(pids);
      throw error;
    } finally {
      writeState(state);
    }
    log(`${service.name} up in ${Date.now() - started} ms`);
  }
  return mergedEnv(state);
}

function stopPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGTERM'); // the whole process group: daemons that fork stay ours
    } catch {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }
  const deadline = Date.now() + 3000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(pidAlive) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 50); // a synchronous 50 ms sleep
  for (const pid of pids.filter(pidAlive)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Stops every recorded process and removes the state directory. */
export function down(): void {
  const state = readState();
  for (const service of Object.values(state.services)) stopPids(service.pids);
  rmSync(STATE_DIR, { recursive: true, force: true });
}

/** The env of the running environment, or undefined when none is up. */
export function currentEnv(): Env | undefined {
  return existsSync(STATE_FILE) ? mergedEnv(readState()) : undefined;
}
