import type { Command } from './command';

/**
 * Every `pra` verb, one file each under hooks/cli/, loaded only when it runs: a verb pays for its own modules
 * (cdktf, ssh2, the AWS SDK, ...) and no other's, so `pra validate` or `pra approve` start in a fraction of a second.
 */
export const verbs: readonly { readonly name: string; load(): Promise<Command> }[] = [
  { name: 'status', load: async () => (await import('./status')).statusCommand },
  { name: 'plan', load: async () => (await import('./plan')).planCommand },
  { name: 'failback', load: async () => (await import('./failback')).failbackCommand },
  { name: 'failover', load: async () => (await import('./failback')).failoverCommand },
  { name: 'test-failover', load: async () => (await import('./failback')).testFailoverCommand },
  { name: 'resume', load: async () => (await import('./resume')).resumeCommand },
  { name: 'rollback', load: async () => (await import('./resume')).rollbackCommand },
  { name: 'approve', load: async () => (await import('./approve')).approveCommand },
  { name: 'drill', load: async () => (await import('./drill')).drillCommand },
  { name: 'runs', load: async () => (await import('./runs')).runsCommand },
  { name: 'report', load: async () => (await import('./report')).reportCommand },
  { name: 'audit', load: async () => (await import('./audit')).auditCommand },
  { name: 'check-stale', load: async () => (await import('./check-stale')).checkStaleCommand },
  { name: 'validate', load: async () => (await import('./validate')).validateCommand },
  { name: 'state', load: async () => (await import('./state')).stateCommand },
  { name: 'diff', load: async () => (await import('./diff')).diffCommand },
  { name: 'deploy', load: async () => (await import('./deploy')).deployCommand },
  { name: 'vpg', load: async () => (await import('./vpg')).vpgCommand },
];
