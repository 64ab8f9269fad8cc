import { Annotations, Aspects, TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ConstructPropError } from '../errors';
import { appIndexOf } from './app-index';
import type { PolicyRule } from './rule';
import { praRules } from './rules';

const SUPPRESSION_METADATA = 'pra:policy-suppression';

interface Suppression {
  readonly id: string;
  readonly reason: string;
}

/**
 * Exempts a construct and everything under it from one rule. The reason is mandatory and ends up in the
 * synth manifest as an info annotation, so a reviewer sees every exemption.
 */
export function suppressPolicy(construct: IConstruct, ruleId: string, reason: string): void {
  if (reason.trim().length < 10) throw new ConstructPropError(construct, `suppression of ${ruleId}: reason`, reason, 'must explain in a sentence why the rule does not apply here');
  construct.node.addMetadata(SUPPRESSION_METADATA, { id: ruleId, reason } satisfies Suppression);
}

function suppressionFor(node: IConstruct, ruleId: string): Suppression | undefined {
  for (const scope of node.node.scopes.reverse()) {
    const entry = scope.node.metadata.find((m) => m.type === SUPPRESSION_METADATA && (m.data as Suppression).id === ruleId);
    if (entry) return entry.data as Suppression;
  }
  return undefined;
}

/**
 * Applies the rule pack to every node of a stack. A finding becomes a node validation, so synthesis
 * (and `Testing.synth(stack, true)`) fails with `[path] [RULE-ID] what is wrong. Why. Fix: ...`.
 */
export class PolicyChecks implements IAspect {
  private readonly visited = new WeakSet<IConstruct>();

  constructor(private readonly rules: readonly PolicyRule[] = praRules) {}

  visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    const app = appIndexOf(node);
    for (const rule of this.rules) {
      const finding = rule.check(node, app);
      if (finding === undefined) continue;
      const suppression = suppressionFor(node, rule.id);
      if (suppression) {
        Annotations.of(node).addInfo(`[${rule.id}] suppressed: ${suppression.reason}`);
        continue;
      }
      const message = `[${rule.id}] ${finding}. ${rule.explanation} Fix: ${rule.fix}`;
      node.node.addValidation({ validate: () => [message] });
    }
  }
}

/**
 * Attaches the rule pack to every stack under `scope` that lacks it. cdktf invokes aspects per stack
 * (an aspect on the app is never visited), so a stack added after `buildApp` needs this call again.
 */
export function applyPolicy(scope: IConstruct, rules: readonly PolicyRule[] = praRules): void {
  for (const stack of scope.node.findAll().filter(TerraformStack.isStack)) {
    if (!Aspects.of(stack).all.some((aspect) => aspect instanceof PolicyChecks)) Aspects.of(stack).add(new PolicyChecks(rules));
  }
}
