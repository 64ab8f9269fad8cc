import type { CronJob, Topology } from './schema';

/**
 * The topology's cron jobs by the name their guard ledgers carry: `ROLE.NAME`, the `--name` each VM of the
 * role runs them under (`pra-guard run --name ROLE.NAME -- ...`), on both sites.
 */
export function jobsByLedgerName(topology: Topology): Map<string, CronJob> {
  return new Map(Object.entries(topology.jobs).flatMap(([role, jobs]) => jobs.map((job) => [`${role}.${job.name}`, job] as const)));
}
