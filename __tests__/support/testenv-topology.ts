import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseTopology, type Topology } from '../../topology';
import { EXAMPLE_TOPOLOGY } from '../../testenv/core';
import { testenv } from './testenv';

type Input = Record<string, any>;

/**
 * The example topology with each site's vCenter and ZVM pointed at the testenv (secrets by the testenv's
 * variable names, its CA trusted), changed by `change`, then validated as `pra validate` would.
 * `zertoUrls` overrides the ZVM URLs (a test's own simulator instance).
 */
export function testenvTopology(change: (input: Input) => void = () => undefined, zertoUrls: Readonly<Record<string, string>> = {}): Topology {
  const input = parse(readFileSync(EXAMPLE_TOPOLOGY, 'utf8')) as Input;
  for (const site of input.sites as Input[]) {
    const prefix = site.name.toUpperCase();
    site.vcenter = {
      url: testenv(`VCENTER_${prefix}_URL`),
      datacenter: testenv(`VCENTER_${prefix}_DATACENTER`),
      username: testenv('VCENTER_USER'),
      password: { env: 'PRA_TESTENV_VCENTER_PASSWORD' },
      caFile: testenv('CA'),
    };
    site.zerto = {
      url: zertoUrls[site.name] ?? testenv(`ZERTO_${prefix}_URL`),
      auth: 'keycloak',
      username: testenv('ZERTO_USERNAME'),
      password: { env: 'PRA_TESTENV_ZERTO_PASSWORD' },
      caFile: testenv('CA'),
    };
  }
  change(input);
  return parseTopology('testenv-topology.yaml', stringify(input));
}
