import { Guest, SHELLS, withGuest } from './guest';

/**
 * Every decision rule of the guard, as a table: arrange a guest, run `pra-guard run -- true`, read the
 * ledger. This guest is at RBX unless a case says otherwise; `sources` in guard.conf decides what is read.
 */
interface Rule {
  readonly name: string;
  readonly arrange: (guest: Guest) => void;
  readonly decision: 'allow' | 'deny';
  readonly reason: string;
  readonly epoch?: number;
}

const rules: Rule[] = [
  { name: 'allows when the only source names this site', arrange: (g) => { g.activeAtRbx(4); }, decision: 'allow', reason: 'active', epoch: 4 },
  { name: 'denies when the site is unknown', arrange: (g) => { g.config({ sources: 'file' }); g.activeSite('rbx', 4); }, decision: 'deny', reason: 'site-unknown', epoch: 4 },
  { name: 'denies when /etc/pra/site is malformed', arrange: (g) => { g.config({ sources: 'file' }); g.site('RBX!'); g.activeSite('rbx', 4); }, decision: 'deny', reason: 'site-unknown', epoch: 4 },
  { name: 'never takes the site from the hostname', arrange: (g) => { g.config({ sources: 'file' }); g.activeSite(require('node:os').hostname().toLowerCase().slice(0, 16), 4); }, decision: 'deny', reason: 'site-unknown', epoch: 4 },
  {
    name: 'takes the site from guestinfo.pra.site when /etc/pra/site agrees',
    arrange: (g) => { g.config({ sources: 'file' }); g.site('rbx'); g.guestinfo({ 'pra.site': 'rbx' }); g.activeSite('rbx', 4); },
    decision: 'allow', reason: 'active', epoch: 4,
  },
  {
    // H11: a VM recovered at RBX from SBG's disks; the file replicated from SBG says sbg, the hypervisor rbx.
    name: 'denies when guestinfo.pra.site and the replicated /etc/pra/site disagree',
    arrange: (g) => { g.config({ sources: 'file' }); g.site('sbg'); g.guestinfo({ 'pra.site': 'rbx' }); g.activeSite('rbx', 4); },
    decision: 'deny', reason: 'site-conflict:guestinfo=rbx,file=sbg', epoch: 4,
  },
  {
    name: 'denies when /etc/pra/site names a site the subnet map does not give this address',
    arrange: (g) => { g.config({ sources: 'file' }); g.site('sbg'); g.write('etc/pra/sites.conf', 'rbx 10.100.0.0/16\nsbg 10.200.0.0/16\n'); g.activeSite('sbg', 4); },
    decision: 'deny', reason: 'site-conflict:file=sbg,subnet=rbx', epoch: 4,
  },
  {
    name: 'allows when guestinfo, the file and the subnet map all name this site',
    arrange: (g) => { g.config({ sources: 'file' }); g.site('rbx'); g.guestinfo({ 'pra.site': 'rbx' }); g.write('etc/pra/sites.conf', 'rbx 10.100.0.0/16\nsbg 10.200.0.0/16\n'); g.activeSite('rbx', 4); },
    decision: 'allow', reason: 'active', epoch: 4,
  },
  {
    name: 'denies when guestinfo.pra.site is malformed, without falling back to the file',
    arrange: (g) => { g.activeAtRbx(4); g.guestinfo({ 'pra.site': 'R B X' }); },
    decision: 'deny', reason: 'site-unknown', epoch: 4,
  },
  {
    name: 'takes the site from the subnet map when nothing else names it',
    arrange: (g) => { g.config({ sources: 'file' }); g.write('etc/pra/sites.conf', '# site subnet\nrbx 10.100.0.0/16\nsbg 10.200.0.0/16\n'); g.activeSite('rbx', 4); },
    decision: 'allow', reason: 'active', epoch: 4,
  },
  {
    name: 'denies when the subnet map matches addresses of two sites',
    arrange: (g) => { g.config({ sources: 'file' }); g.write('etc/pra/sites.conf', 'rbx 10.100.0.0/16\nsbg 10.0.0.0/8\n'); g.activeSite('rbx', 4); },
    decision: 'deny', reason: 'site-unknown', epoch: 4,
  },
  { name: 'denies when the active site is none', arrange: (g) => { g.atRbx(); g.activeSite('none', 5); }, decision: 'deny', reason: 'active-elsewhere:file=none@5', epoch: 5 },
  { name: 'denies when the file names the other site', arrange: (g) => { g.atRbx(); g.activeSite('sbg', 5); }, decision: 'deny', reason: 'active-elsewhere:file=sbg@5', epoch: 5 },
  { name: 'denies when the file is missing', arrange: (g) => g.atRbx(), decision: 'deny', reason: 'file-missing' },
  { name: 'denies when the file has no epoch', arrange: (g) => { g.atRbx(); g.write('etc/pra/active-site', 'active=rbx\n'); }, decision: 'deny', reason: 'file-malformed' },
  { name: 'denies when the file epoch is not a number', arrange: (g) => { g.activeAtRbx('4a'); }, decision: 'deny', reason: 'file-malformed' },
  { name: 'denies when the file names the active site twice', arrange: (g) => { g.atRbx(); g.write('etc/pra/active-site', 'active=rbx\nactive=sbg\nepoch=3\n'); }, decision: 'deny', reason: 'file-malformed' },
  { name: 'denies when the file names an impossible site', arrange: (g) => { g.atRbx(); g.activeSite('Rbx;rm', 4); }, decision: 'deny', reason: 'file-malformed' },
  { name: 'denies when VMware Tools are absent and guestinfo is a source', arrange: (g) => g.atRbx({ sources: 'guestinfo' }), decision: 'deny', reason: 'guestinfo-unavailable' },
  {
    name: 'allows when guestinfo names this site',
    arrange: (g) => { g.atRbx({ sources: 'guestinfo' }); g.guestinfo({ 'pra.active_site': 'rbx', 'pra.epoch': 9 }); },
    decision: 'allow', reason: 'active', epoch: 9,
  },
  { name: 'denies when guestinfo has no epoch', arrange: (g) => { g.atRbx({ sources: 'guestinfo' }); g.guestinfo({ 'pra.active_site': 'rbx' }); }, decision: 'deny', reason: 'guestinfo-missing' },
  {
    name: 'denies when the guestinfo epoch is malformed',
    arrange: (g) => { g.atRbx({ sources: 'guestinfo' }); g.guestinfo({ 'pra.active_site': 'rbx', 'pra.epoch': '-1' }); },
    decision: 'deny', reason: 'guestinfo-malformed',
  },
  {
    name: 'denies when guestinfo names the other site',
    arrange: (g) => { g.atRbx({ sources: 'guestinfo' }); g.guestinfo({ 'pra.active_site': 'sbg', 'pra.epoch': 9 }); },
    decision: 'deny', reason: 'active-elsewhere:guestinfo=sbg@9', epoch: 9,
  },
  {
    name: 'denies when VMware Tools do not answer in time',
    arrange: (g) => { g.activeAtRbx(4, { guestinfo_timeout_ms: 300 }); g.guestinfo({ 'pra.active_site': '!hang' }); },
    decision: 'deny', reason: 'guestinfo-timeout', epoch: 4,
  },
  {
    name: 'denies when a higher epoch from another source names another value',
    arrange: (g) => { g.activeAtRbx(5, { sources: 'file,guestinfo' }); g.guestinfo({ 'pra.active_site': 'none', 'pra.epoch': 6 }); },
    decision: 'deny', reason: 'active-elsewhere:guestinfo=none@6', epoch: 6,
  },
  {
    name: 'denies when sources disagree at the same epoch',
    arrange: (g) => { g.activeAtRbx(5, { sources: 'file,guestinfo' }); g.guestinfo({ 'pra.active_site': 'sbg', 'pra.epoch': 5 }); },
    decision: 'deny', reason: 'active-elsewhere:guestinfo=sbg@5', epoch: 5,
  },
  {
    name: 'denies when a lower-epoch source still names another site',
    arrange: (g) => { g.activeAtRbx(7, { sources: 'file,guestinfo' }); g.guestinfo({ 'pra.active_site': 'sbg', 'pra.epoch': 6 }); },
    decision: 'deny', reason: 'disagree:guestinfo=sbg@6', epoch: 7,
  },
  {
    name: 'allows under the highest epoch when every source names this site',
    arrange: (g) => { g.activeAtRbx(7, { sources: 'file,guestinfo' }); g.guestinfo({ 'pra.active_site': 'rbx', 'pra.epoch': 6 }); },
    decision: 'allow', reason: 'active', epoch: 7,
  },
  {
    name: 'denies when one of two sources is missing',
    arrange: (g) => { g.atRbx({ sources: 'file,guestinfo' }); g.guestinfo({ 'pra.active_site': 'rbx', 'pra.epoch': 6 }); },
    decision: 'deny', reason: 'file-missing', epoch: 6,
  },
  {
    name: 'lets guestinfo.pra.guard.sources override the config file',
    arrange: (g) => { g.activeAtRbx(7); g.guestinfo({ 'pra.guard.sources': 'file,guestinfo' }); },
    decision: 'deny', reason: 'guestinfo-missing', epoch: 7,
  },
  { name: 'denies on an unknown config key', arrange: (g) => { g.activeAtRbx(4, { sorces: 'file' }); }, decision: 'deny', reason: 'config-error', epoch: 4 },
  { name: 'denies on an unknown source', arrange: (g) => { g.activeAtRbx(4, { sources: 'file,zookeeper' }); }, decision: 'deny', reason: 'config-error', epoch: 4 },
  {
    name: 'denies on a malformed guestinfo override',
    arrange: (g) => { g.activeAtRbx(7); g.guestinfo({ 'pra.guard.replay_policy': 'sometimes' }); },
    decision: 'deny', reason: 'config-error', epoch: 7,
  },
];

const fibTrie = `Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 10.100.0.10
        /32 host LOCAL
     |-- 127.0.0.1
        /32 host LOCAL
`;

describe.each(SHELLS)('pra-guard decisions under %s', (shell) => {
  it.each(rules.map((r) => [r.name, r] as const))('%s', (_name, rule) =>
    withGuest(shell, async (guest) => {
      guest.write('fib_trie', fibTrie);
      rule.arrange(guest);
      const result = await guest.run(['run', '--name', 'job', '--', 'true'], { env: { PRA_GUARD_FIB_TRIE: guest.path('fib_trie') } });
      expect(result.code).toBe(0);
      const [line] = guest.ledger();
      expect({ decision: line.decision, reason: line.reason, epoch: line.epoch }).toEqual({ decision: rule.decision, reason: rule.reason, epoch: rule.epoch });
    }),
  );
});
