import type { Command } from './command';
import { diffCommand } from './diff';
import { stateCommand } from './state';
import { validateCommand } from './validate';
import { vpgCommand } from './vpg';

/** Every `pra` verb, one file each under hooks/cli/. */
export const commands: readonly Command[] = [validateCommand, stateCommand, diffCommand, vpgCommand];
