import { SHELLS, withGuest } from './guest';

/** /proc/net/fib_trie of a VM whose local addresses are these (and loopback, which the guard skips). */
const fibTrie = (addresses: readonly string[]) =>
  ['Main:', '  +-- 0.0.0.0/0 3 0 5', ...[...addresses, '127.0.0.1'].flatMap((a) => [`     |-- ${a}`, '        /32 host LOCAL']), ''].join('\n');

const maps = [
  ['/08', 'rbx 10.0.0.0/08\n'],
  ['/016', 'rbx 10.100.0.0/016\nsbg 10.101.0.0/016\n'],
] as const;

/**
 * The subnet map (/etc/pra/sites.conf) takes a prefix length written with leading zeros as the decimal it
 * reads as: shell arithmetic would read `08` as a bad octal number (dash aborts: "Illegal number: 08") and
 * `016` as 14 bits, which here would put 10.100.0.10 in SBG's subnet as well and deny as ambiguous.
 */
describe.each(SHELLS)('pra-guard subnet map prefixes under %s', (shell) => {
  it.each(maps)('reads a %s prefix as decimal', (_prefix, sitesConf) =>
    withGuest(shell, async (guest) => {
      guest.write('fib_trie', fibTrie(['10.100.0.10']));
      guest.config({ sources: 'file' });
      guest.write('etc/pra/sites.conf', sitesConf);
      guest.activeSite('rbx', 4);
      const result = await guest.run(['run', '--name', 'job', '--', 'true'], { env: { PRA_GUARD_FIB_TRIE: guest.path('fib_trie') } });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const [line] = guest.ledger();
      expect({ site: line.site, decision: line.decision, reason: line.reason }).toEqual({ site: 'rbx', decision: 'allow', reason: 'active' });
    }),
  );
});
