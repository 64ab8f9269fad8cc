import { writeFileSync } from 'node:fs';

/**
 * Preloaded into each benchmarked synth (`node --require`): records the process's peak resident set
 * size (KiB) and CPU time (user + system, microseconds) at exit, as `RSS CPU`, where the parent can read
 * them. Node has no portable way to read a child's rusage.
 */
const target = process.env.PRA_BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
  });
}
