import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { portOpen, type Service } from '../core';

/** The application database of the tests: present, with tables, readable by the check user. */
const MARIADB_DATABASE = 'app_a';
const MARIADB_CHECK_USER = 'pra_check';

/**
 * MariaDB 10.11 on loopback: the database the MySQL probe checks (`SELECT 1` + expected schemas).
 * The data dir is created once; the init file re-runs at every start and is idempotent, so a restart
 * also rotates the check user's password (a fresh random one per start, never a fixed test password).
 */
export const mariadbService: Service = {
  name: 'mariadb',
  debianPackages: ['mariadb-server', 'mariadb-client'],
  async start(ctx) {
    const dataDir = join(ctx.dir, 'data');
    // Running as root needs --user=root (mariadbd refuses root otherwise); as anyone else, run as oneself.
    const osUser = process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'root');
    if (!existsSync(join(dataDir, 'mysql'))) {
      execFileSync('mariadb-install-db', ['--no-defaults', `--user=${osUser}`, `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }
    const password = randomBytes(18).toString('base64url');
    const initFile = join(ctx.dir, 'init.sql');
    const account = `'${MARIADB_CHECK_USER}'@'127.0.0.1'`;
    writeFileSync(
      initFile,
      [
        `CREATE DATABASE IF NOT EXISTS ${MARIADB_DATABASE}`,
        `CREATE TABLE IF NOT EXISTS ${MARIADB_DATABASE}.jobs (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(64) NOT NULL, started_at DATETIME NOT NULL)`,
        `CREATE TABLE IF NOT EXISTS ${MARIADB_DATABASE}.settings (name VARCHAR(64) PRIMARY KEY, value VARCHAR(255) NOT NULL)`,
        `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY '${password}'`,
        `ALTER USER ${account} IDENTIFIED BY '${password}'`,
        // Only this database: the probe sees the schemas the application sees, nothing more.
        `GRANT SELECT ON ${MARIADB_DATABASE}.* TO ${account}`,
      ].join(';\n') + ';\n',
      { mode: 0o600 },
    );
    const port = await ctx.freePort();
    ctx.daemon('mariadbd', 'mariadbd', [
      '--no-defaults',
      `--user=${osUser}`,
      `--datadir=${dataDir}`,
      `--port=${port}`,
      `--socket=${join(ctx.dir, 'mysqld.sock')}`,
      `--pid-file=${join(ctx.dir, 'mysqld.pid')}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      `--init-file=${initFile}`,
      '--innodb-buffer-pool-size=16M',
      '--performance-schema=OFF',
    ]);
    await ctx.waitForPort(port, 'mariadbd');
    return {
      PRA_TESTENV_MYSQL_PORT: String(port),
      PRA_TESTENV_MYSQL_USER: MARIADB_CHECK_USER,
      PRA_TESTENV_MYSQL_PASSWORD: password,
      PRA_TESTENV_MYSQL_DATABASE: MARIADB_DATABASE,
    };
  },
  async healthy(env) {
    return portOpen(Number(env.PRA_TESTENV_MYSQL_PORT));
  },
};
