import type { RunReport } from './model';

/** The post-mortem's three lists, pre-filled from the journal's facts; the team edits them in the review. */
export interface PostMortem {
  readonly wentWell: readonly string[];
  readonly toImprove: readonly string[];
  readonly actions: readonly string[];
}

/** `1 min 05 s`, `7.2 s`, `320 ms`: durations as people say them. */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  return `${sign}${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

function retriesBySystem(r: Omit<RunReport, 'postMortem'>): Map<string, { count: number; steps: Set<string> }> {
  const by = new Map<string, { count: number; steps: Set<string> }>();
  for (const i of r.incidents.filter((x) => x.kind === 'retry')) {
    const key = i.system ?? 'unknown system';
    const entry = by.get(key) ?? { count: 0, steps: new Set<string>() };
    entry.count++;
    entry.steps.add(i.step ?? '?');
    by.set(key, entry);
  }
  return by;
}

export function postMortemOf(r: Omit<RunReport, 'postMortem'>): PostMortem {
  const wentWell: string[] = [];
  const toImprove: string[] = [];
  const actions: string[] = [];
  const budget = `${r.run.rtoMinutes} min RTO`;
  if (r.run.state === 'completed' && r.run.rtoMet) wentWell.push(`Completed in ${duration(r.run.totalMs)}, within the ${budget} (margin ${duration(r.run.rtoMarginMs)}).`);
  else if (r.run.state === 'completed') toImprove.push(`Completed in ${duration(r.run.totalMs)}: ${duration(-r.run.rtoMarginMs)} over the ${budget}.`);
  else toImprove.push(`The run ended ${r.run.state} after ${duration(r.run.totalMs)}.`);

  const slowest = [...r.phases].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs))[0];
  if (slowest && r.run.totalMs > 0) {
    toImprove.push(`Slowest phase: ${slowest.phase}, ${duration(slowest.endMs - slowest.startMs)} (${Math.round(((slowest.endMs - slowest.startMs) / r.run.totalMs) * 100)} % of the run).`);
  }
  const waits = r.approvals.filter((a) => a.waitMs !== undefined).reduce((n, a) => n + a.waitMs!, 0);
  if (r.approvals.length) (waits > r.run.totalMs / 4 ? toImprove : wentWell).push(`${r.approvals.length} approval gate(s), ${duration(waits)} waiting for approvers in total.`);

  const retries = retriesBySystem(r);
  if (retries.size === 0 && !r.incidents.some((i) => i.kind === 'failure')) wentWell.push('No retry and no failed step.');
  for (const [system, { count, steps }] of retries) {
    toImprove.push(`${count} retr${count === 1 ? 'y' : 'ies'} on ${system} (${[...steps].join(', ')}).`);
    actions.push(`Find why ${system} answered with transient errors during ${[...steps].join(', ')}; check its capacity and timeouts before the next failback.`);
  }
  for (const pause of r.incidents.filter((i) => i.kind === 'pause')) {
    toImprove.push(`Paused at ${pause.step ?? 'a step'} after ${duration(pause.atMs)}: ${pause.message}`);
    actions.push(`Add a preflight check for the cause of the pause at ${pause.step ?? 'that step'}, so it shows before the run starts.`);
  }
  if (r.incidents.some((i) => i.kind === 'rollback')) actions.push('Decide, with the rollback\'s cause fixed, when to schedule the next failback attempt.');

  if (r.handover.tokenNowhereMs !== undefined) {
    wentWell.push(`Cron handover: token at nobody (epoch ${r.handover.fence!.epoch}) for ${duration(r.handover.tokenNowhereMs)}, then ${r.run.to} at epoch ${r.handover.grant!.epoch}${r.handover.drainMs !== undefined ? `; drain took ${duration(r.handover.drainMs)}` : ''}.`);
  }
  if (r.bootWindows.length) {
    const worst = r.bootWindows.reduce((a, b) => (b.ms > a.ms ? b : a));
    wentWell.push(`Recovered VMs suspended at most ${duration(worst.ms)} after power-on (${worst.vm}); the guard denied jobs meanwhile.`);
  }

  const de = r.doubleExecution;
  if (!de.measured) {
    toImprove.push('Double execution was not measured.');
    actions.push('Collect the guard ledgers of both sites and run `pra audit --ledger ...` (or `pra report --ledger ...`).');
  } else if (de.windowMs === 0) {
    wentWell.push(`Double execution: 0 ms over ${de.executions} job executions in ${de.ledgers.length} guard ledger(s).`);
  } else {
    toImprove.push(`Double execution: ${duration(de.windowMs)} over ${de.overlaps.length} overlapping pair(s) (${[...new Set(de.overlaps.map((o) => o.job))].join(', ')}).`);
    actions.push('For each overlapping job, check its effects (duplicates in the database, mails sent twice) and find which guard allowed it and why.');
  }
  if (de.measured && de.malformedLines) actions.push(`Look at the ${de.malformedLines} malformed ledger line(s) \`pra audit\` lists: a torn line may hide an execution.`);
  if (!actions.length) actions.push('No corrective action from the facts; review the timeline and keep the drill schedule.');
  return { wentWell, toImprove, actions };
}
