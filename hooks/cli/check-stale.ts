import { readText } from '../audit/audit';
import { parseTimeOption } from '../audit/local-time';
import { findStale, hostFromLedger, hostFromMetrics, parseDuration } from '../monitoring/stale';
import { longestGapMs, parseCronSchedule } from '../audit/cron';
import { jobsByLedgerName, loadTopology } from '../../topology';
import { ExitCode, parseOptions, UsageError, type Command } from './command';

const iso = (ms?: number) => (ms === undefined ? 'never' : new Date(ms).toISOString());

/** `pra check-stale`: exit 1 when a cron job has been blocked longer than the threshold on the active site. */
export const checkStaleCommand: Command = {
  name: 'check-stale',
  summary: 'flag cron jobs the guard has not allowed for longer than --max-blocked on the active site (exit 1)',
  usage: 'pra check-stale (--max-blocked 2h | --topology FILE) (--metrics DIR... | --ledger FILE...) [--now T] [--json]',
  async run(ctx) {
    const { values } = parseOptions('check-stale', ctx.argv, {
      'max-blocked': { type: 'string' },
      metrics: { type: 'string', multiple: true },
      ledger: { type: 'string', multiple: true },
      now: { type: 'string' },
      topology: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values['max-blocked'] && !values.topology) throw new UsageError('check-stale', 'give --max-blocked, e.g. --max-blocked 2h, or the --topology FILE whose jobs have schedules');
    if (!values.metrics?.length === !values.ledger?.length) throw new UsageError('check-stale', 'give the guards\' --metrics DIR... or their --ledger FILE... (one per host, both sites), not both');
    const maxBlockedMs = values['max-blocked'] ? parseDuration('--max-blocked', values['max-blocked']) : undefined;
    const now = values.now === undefined ? Date.now() : parseTimeOption('--now', values.now, 'UTC');
    // A declared job is stale once blocked longer than its longest gap between runs plus a run: it missed one.
    const declared = values.topology === undefined ? new Map() : jobsByLedgerName(loadTopology(values.topology));
    const thresholds = new Map([...declared].map(([name, job]) => [name, longestGapMs(parseCronSchedule(job.schedule), now) + job.durationSeconds * 1000]));
    const malformed: string[] = [];
    const hosts = values.metrics?.length
      ? values.metrics.map(hostFromMetrics)
      : values.ledger!.map((file) => {
          const read = hostFromLedger(file, readText(file, '--ledger'));
          malformed.push(...read.malformed.map((m) => `${m.where}: ${m.problem}`));
          return read.host;
        });
    const stale = findStale(hosts, now, (job) => thresholds.get(job) ?? maxBlockedMs);
    if (values.json) ctx.stdout.write(`${JSON.stringify({ now: iso(now), maxBlockedMs, thresholdsMs: Object.fromEntries(thresholds), stale, malformed }, null, 2)}\n`);
    else {
      const active = hosts.filter((h) => h.active).map((h) => h.source);
      ctx.stdout.write(`check-stale: ${hosts.length} host(s), on the active site: ${active.join(', ') || 'none (the token is elsewhere or at nobody)'}\n`);
      for (const m of malformed) ctx.stderr.write(`pra: check-stale: malformed ledger line ${m}\n`);
      if (!stale.length) ctx.stdout.write(`no job blocked longer than ${[...(thresholds.size ? ['its schedule allows'] : []), ...(values['max-blocked'] ? [values['max-blocked']] : [])].join(' or ')}\n`);
      for (const s of stale) {
        ctx.stdout.write(`STALE ${s.job}: last allowed ${iso(s.lastAllowed)}, denied since (last ${iso(s.lastDenied)}) on ${s.hosts.join(', ')}${s.noActiveHost ? ' (no host on the active site)' : ''}\n`);
      }
    }
    return stale.length ? ExitCode.conditionFailed : ExitCode.ok;
  },
};
