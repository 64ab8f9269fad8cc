import type { Command } from './command';
import { vpgCommand } from './vpg';

/** Every `pra` verb, one file each under hooks/cli/. */
export const commands: readonly Command[] = [vpgCommand];
