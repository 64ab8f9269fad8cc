import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * CPU contention for `pra drill --load`: one busy loop per core, at normal priority, as a loaded guest
 * host or a noisy CI runner would have. Stopped by `stop()`, and by themselves if the drill dies.
 */
export function startLoad(): { cores: number; stop(): void } {
  const cores = availableParallelism();
  const loop = `const parent = process.ppid; for (;;) { for (let i = 0; i < 1e7; i++); if (process.ppid !== parent) process.exit(0); }`;
  const children = Array.from({ length: cores }, () => spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }));
  return {
    cores,
    stop: () => {
      for (const child of children) child.kill('SIGKILL');
    },
  };
}
