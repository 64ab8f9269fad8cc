import type { Plan, Step } from '../engine/step';
import { activationSteps, validationSteps } from './activation';
import { preflightSteps } from './preflight';
import { checkpointStep, recoverStep, stateStep } from './restore';
import { identityStep } from './identity';
import { terraformStateStep } from './terraform-state';
import { commitSteps, handoverSteps, stopSourceStep, trafficStep } from './switch';
import type { FailbackSystems } from './systems';
import { vpgsBetween } from './topology-views';
import type { Topology } from '../../topology';

type S = FailbackSystems;

/**
 * `failback --to TO`: the seeds' five phases with DESIGN's corrections. Recovered VMs are suspended as they
 * boot, validated from the hypervisor, resumed with crons fenced, checked from inside; then traffic moves
 * and the cron token is handed over explicitly (fence, drain, grant) before the old site stops and Zerto commits.
 *
 * With a Move, Zerto shuts the old site down when the recovery starts: the token is fenced and drained
 * before that, and granted to the new site after its checks. With a Failover (shutdown policy none) the old
 * site keeps serving until the switch, as the runbook wants, and the handover happens at the switch.
 */
export function failbackPlan(topology: Topology, from: string, to: string): Plan<S> {
  const vpgs = vpgsBetween(topology, from, to);
  const moves = vpgs.some((g) => g.recovery === 'move');
  const handover = handoverSteps(from, to, { force: false, sourceLikelyOff: moves });
  const armed = stateStep('restore.failback-state', 'restore', `failback state: failback_site=${to}, pause mode on`, (s) => ({ ...s, failback_site: to, enable_failback_pause_mode: true }));
  const switched = stateStep('switch.state', 'switch', `failback state: active_site=${to}, pause mode off`, () => ({ failback_site: to, enable_failback_pause_mode: false, active_site: to }));
  const steps: Step<S>[] = [
    ...preflightSteps(from, to, { sourceMayBeLost: false }),
    checkpointStep(from, to),
    armed,
    ...(moves ? [handover.fence, handover.drain] : []),
    recoverStep(from, to, { pause: true, sourceMayBeLost: false }),
    identityStep(from, to),
    ...validationSteps(from, to),
    ...activationSteps(from, to),
    trafficStep(from, to),
    ...(moves ? [handover.grant] : [handover.fence, handover.drain, handover.grant]),
    stopSourceStep(from),
    switched,
    ...commitSteps(from, to, { reverseProtection: true }),
    terraformStateStep(to),
  ];
  return { name: `failback ${from} -> ${to}`, from, to, rtoMinutes: topology.rtoMinutes, steps };
}

/**
 * `failover --to TO`: the disaster direction. The old site may be unreachable: the token is fenced by epoch
 * first (with `force`, without confirmations from the lost site), Zerto fails over from the latest checkpoint,
 * and reverse protection is asked for only when the old site is known to answer.
 */
export function failoverPlan(topology: Topology, from: string, to: string, options: { readonly force: boolean }): Plan<S> {
  const handover = handoverSteps(from, to, { force: options.force, sourceLikelyOff: true });
  const steps: Step<S>[] = [
    ...preflightSteps(from, to, { sourceMayBeLost: true }).filter((s) => s.id !== 'preflight.zerto'),
    handover.fence,
    handover.drain,
    recoverStep(from, to, { pause: false, sourceMayBeLost: options.force }),
    identityStep(from, to),
    ...activationSteps(from, to).filter((s) => s.id !== 'activation.resume' && s.id !== 'activation.fenced'),
    trafficStep(from, to),
    handover.grant,
    stateStep('switch.state', 'switch', `failback state: active_site=${to}, failback_site=${to}, pause mode armed`, () => ({ failback_site: to, enable_failback_pause_mode: true, active_site: to })),
    ...commitSteps(from, to, { reverseProtection: !options.force }),
    terraformStateStep(to),
  ];
  return { name: `failover ${from} -> ${to}`, from, to, rtoMinutes: topology.rtoMinutes, steps };
}
