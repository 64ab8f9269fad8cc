import { currentEnv, down, ENV_FILE, up } from './core';
import { allServices } from './services';

/** `testenv up [SERVICE...]`, `testenv down`, `testenv env`: the local environment by hand. */
async function main(argv: string[]): Promise<number> {
  const [verb, ...names] = argv;
  switch (verb) {
    case 'up': {
      const unknown = names.filter((n) => !allServices.some((s) => s.name === n));
      if (unknown.length) {
        process.stderr.write(`testenv: unknown service ${unknown.join(', ')}; known: ${allServices.map((s) => s.name).join(', ')}\n`);
        return 2;
      }
      const wanted = names.length ? allServices.filter((s) => names.includes(s.name)) : allServices;
      const started = Date.now();
      await up(wanted, (line) => process.stderr.write(`testenv: ${line}\n`));
      process.stdout.write(`testenv: up in ${Date.now() - started} ms; endpoints in ${ENV_FILE} (source it: set -a; . ${ENV_FILE}; set +a)\n`);
      return 0;
    }
    case 'down':
      down();
      process.stdout.write('testenv: down\n');
      return 0;
    case 'env': {
      const env = currentEnv();
      if (!env) {
        process.stderr.write('testenv: not up; run testenv up\n');
        return 1;
      }
      for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: testenv up [SERVICE...] | down | env\n');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`testenv: ${error.message}\n`);
    process.exit(3);
  },
);
