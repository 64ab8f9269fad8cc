import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildReport, renderReport, REPORT_FORMATS, type ReportFormat } from '../report';
import { writingTo } from '../drivers/common/disk';
import { runEntries } from '../engine/run-store';
import { ExitCode, parseOptions, UsageError, type Command } from './command';
import { projectOptions } from './project';
import { withRunStore } from './run-context';

/** `pra report RUN`: the run's timeline against the RTO, approvals, handover, faults, double execution, post-mortem. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'write a run\'s report (Markdown, self-contained HTML or JSON) from its journal and the guard ledgers',
  usage: 'pra report RUN [--format md|html|json] [--out FILE] [--topology FILE] [--journal-dir DIR] [--ledger FILE...]',
  async run(ctx) {
    const { values, positionals } = parseOptions('report', ctx.argv, {
      format: { type: 'string' },
      out: { type: 'string' },
      topology: projectOptions.topology,
      'journal-dir': { type: 'string' },
      ledger: { type: 'string', multiple: true },
    });
    if (positionals.length !== 1) throw new UsageError('report', 'give exactly one run id (list them with pra runs)');
    const format = (values.format ?? 'md') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new UsageError('report', `--format ${JSON.stringify(values.format)} is not one of ${REPORT_FORMATS.join(', ')}`);
    const entries = await withRunStore(ctx, values, (store) => runEntries(store, positionals[0]));
    const text = renderReport(buildReport(entries, values.ledger ?? []), format);
    if (values.out === undefined) ctx.stdout.write(text);
    else {
      writingTo(resolve(ctx.cwd, values.out), () => writeFileSync(resolve(ctx.cwd, values.out!), text));
      ctx.stdout.write(`report written to ${resolve(ctx.cwd, values.out)}\n`);
    }
    return ExitCode.ok;
  },
};
