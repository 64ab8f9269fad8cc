import { DefaultTokenResolver, Fn, Op, StringConcat, Token, Tokenization, type TerraformVariable } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * The three stack-level variables of the failback state. Every value that depends on the state is a
 * Terraform expression over them, so `cdktf deploy -var failback_site=rbx` changes what users expect.
 */
export interface FailbackVariables {
  readonly failbackSite: TerraformVariable;
  readonly pauseMode: TerraformVariable;
  readonly activeSite: TerraformVariable;
}

/**
 * True when this site is the failback target, pause mode is on, and the site is not active: its VMs must
 * start suspended. The active site never is: once the failback switched to it, its running production
 * VMs must not be declared suspended (and a failback_site equal to the active site means none pending).
 */
function pausedOn(vars: FailbackVariables, site: string) {
  return Op.and(Op.and(Op.eq(vars.failbackSite.stringValue, site), vars.pauseMode.booleanValue), Op.neq(vars.activeSite.stringValue, site));
}

/**
 * One expression per (variables, site, values), every VM of a site sharing it, already resolved to its
 * Terraform text (`${var.failback_site == "rbx" && ...}`): creating a cdktf token captures a full stack trace
 * and resolving it costs again per VM at each synthesis pass, which dominated synthesis time at 2000 VMs.
 * Keyed by the failback_site variable, then by the other two variables' paths: all three enter the expression.
 */
const memo = new WeakMap<FailbackVariables['failbackSite'], Map<string, string>>();

function pausedChoice(vars: FailbackVariables, site: string, whenPaused: string, otherwise: string): string {
  let bySite = memo.get(vars.failbackSite);
  if (!bySite) memo.set(vars.failbackSite, (bySite = new Map()));
  const key = JSON.stringify([vars.pauseMode.node.path, vars.activeSite.node.path, site, whenPaused, otherwise]);
  let text = bySite.get(key);
  if (!text) bySite.set(key, (text = terraformText(vars.failbackSite, Fn.conditional(pausedOn(vars, site), whenPaused, otherwise))));
  return text;
}

/** `suspended` on the failback target while pause mode is on and it is not active, else `normal`. */
export function startupModeExpression(vars: FailbackVariables, site: string): string {
  return pausedChoice(vars, site, 'suspended', 'normal');
}

/** `true` on the VMs a paused failback applies to (same condition as a suspended start-up). */
export function failbackEnabledExpression(vars: FailbackVariables, site: string): string {
  return pausedChoice(vars, site, 'true', 'false');
}

/** The public IP of `var.active_site`, looked up in a site -> IP map. */
export function activeSiteIpExpression(vars: FailbackVariables, sitePublicIps: Readonly<Record<string, string>>): string {
  return Token.asString(Fn.lookup({ ...sitePublicIps }, vars.activeSite.stringValue));
}

/** The Terraform text a (possibly tokenized) value synthesizes to; lets policy rules compare expressions. */
export function resolveHcl(scope: IConstruct, value: unknown): unknown {
  return Tokenization.resolve(value, { scope, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/**
 * A reference or expression within `scope`'s stack as the literal Terraform text it synthesizes to, for a
 * value many resources of the stack share: resolved once here rather than once per resource and per pass.
 */
export function terraformText(scope: IConstruct, token: unknown): string {
  return String(resolveHcl(scope, Token.asString(token)));
}
