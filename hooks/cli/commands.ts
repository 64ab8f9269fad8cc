import type { Command } from './command';

/** Every `pra` verb, one file each under hooks/cli/. */
export const commands: readonly Command[] = [];
