import { writeFileSync } from 'node:fs';

/**
 * Preloaded into each benchmarked synth (`node --require`): records the process's peak resident set
 * size (KiB) at exit, where the parent can read it. Node has no portable way to read a child's rusage.
 */
const target = process.env.PRA_BENCH_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
