import { approveCommand } from './approve';
import { auditCommand } from './audit';
import { checkStaleCommand } from './check-stale';
import type { Command } from './command';
import { deployCommand } from './deploy';
import { diffCommand } from './diff';
import { drillCommand } from './drill';
import { failbackCommand, failoverCommand, testFailoverCommand } from './failback';
import { reportCommand } from './report';
import { planCommand } from './plan';
import { resumeCommand, rollbackCommand } from './resume';
import { runsCommand } from './runs';
import { stateCommand } from './state';
import { statusCommand } from './status';
import { validateCommand } from './validate';
import { vpgCommand } from './vpg';

/** Every `pra` verb, one file each under hooks/cli/. */
export const commands: readonly Command[] = [
  statusCommand,
  planCommand,
  failbackCommand,
  failoverCommand,
  testFailoverCommand,
  resumeCommand,
  rollbackCommand,
  approveCommand,
  drillCommand,
  runsCommand,
  reportCommand,
  auditCommand,
  checkStaleCommand,
  validateCommand,
  stateCommand,
  diffCommand,
  deployCommand,
  vpgCommand,
];
