import { auditFiles } from '../audit/audit';
import { checkTimeZone, parseTimeOption, systemTimeZone } from '../audit/local-time';
import { renderAudit } from '../audit/render';
import { jobsByLedgerName, loadTopology } from '../../topology';
import { ExitCode, parseOptions, UsageError, type Command } from './command';

/** `pra audit`: double execution, missed runs and replays, from the guard ledgers (and cron syslog) of both sites. */
export const auditCommand: Command = {
  name: 'audit',
  summary: 'measure double execution across sites from guard ledgers and cron syslog; exit 1 on any overlap',
  usage: 'pra audit --ledger FILE... [--syslog [SITE=]FILE...] [--topology FILE] [--from T --to T] [--timezone TZ] [--json]',
  async run(ctx) {
    const { values } = parseOptions('audit', ctx.argv, {
      ledger: { type: 'string', multiple: true },
      syslog: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      timezone: { type: 'string' },
      topology: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values.ledger?.length && !values.syslog?.length) throw new UsageError('audit', 'give at least one --ledger FILE (the guard ledgers of both sites) or --syslog FILE');
    const timeZone = checkTimeZone(values.timezone ?? systemTimeZone());
    // The topology's jobs give their schedules to ledgers that carry none (missed runs need them).
    const jobs = values.topology === undefined ? undefined : jobsByLedgerName(loadTopology(values.topology));
    const result = auditFiles({
      ledgers: values.ledger ?? [],
      syslogs: values.syslog ?? [],
      schedules: jobs && new Map([...jobs].map(([name, job]) => [name, job.schedule])),
      from: values.from === undefined ? undefined : parseTimeOption('--from', values.from, timeZone),
      to: values.to === undefined ? undefined : parseTimeOption('--to', values.to, timeZone),
      timeZone,
    });
    ctx.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderAudit(result));
    return result.overlap.overlaps.length ? ExitCode.conditionFailed : ExitCode.ok;
  },
};
