import type { IConstruct } from 'constructs';
import type { AppIndex } from './app-index';

/**
 * One policy rule, cdk-nag style: a stable id, why it exists, how to fix a finding, and a pure check.
 * `check` returns what is wrong at this node (with the offending values), or undefined.
 */
export interface PolicyRule {
  /** Stable id such as PRA-VM-001; suppressions and docs refer to it. */
  readonly id: string;
  /** One line: why the rule exists. */
  readonly explanation: string;
  /** What to change when it fires. */
  readonly fix: string;
  check(node: IConstruct, app: AppIndex): string | undefined;
}
