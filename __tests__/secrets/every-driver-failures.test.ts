import { readFileSync } from 'node:fs';
import { publishersFromTopology } from '../../hooks/drivers/authority/publishers/from-topology';
import { AuthError, PermanentError } from '../../hooks/drivers/common/errors';
import { dnsProviderFor } from '../../hooks/drivers/dns/from-topology';
import { pointTo } from '../../hooks/drivers/dns/index';
import { loadBalancerFromTopology } from '../../hooks/drivers/lb/from-topology';
import { probeHttp, probeMysql, probeSshCommand } from '../../hooks/drivers/probes';
import { Secret } from '../../hooks/drivers/common/secret';
import { vcentersFromTopology } from '../../hooks/drivers/vsphere/from-topology';
import { zertoFromTopology } from '../../hooks/drivers/zerto/from-topology';
import type { Topology } from '../../topology';
import { nameservers, ovhIplbServers, ovhTopologyCredentials, rfc2136Dns, route53Dns, uniqueName } from '../support/dns-testenv';
import { exclusive } from '../support/exclusive';
import { captureOutput, Exposure } from '../support/secret-scan';
import { testenvSshTarget } from '../support/ssh-target';
import { testenv } from '../support/testenv';
import { testenvTopology } from '../support/testenv-topology';

/**
 * Every driver family on its failure paths (a refused credential, an untrusted certificate or host key),
 * built from a topology as the engine builds them, its secrets from env and files. Every log line, error
 * rendering (message, stack, JSON, inspect) and byte written to stdout/stderr is collected, and the
 * last test finds none of the test secrets in it. A wrong secret is the real one with a suffix: a driver
 * that echoed what it sent would print the real one.
 */

exclusive('ovh-simulator'); // faults injected by the OVH tests would turn an auth refusal into a 5xx

const exposure = new Exposure();
const RECORD = '203.0.113.10';

/** The test secrets of every service the drivers talk to. */
const secrets = () => [
  testenv('VCENTER_PASSWORD'),
  testenv('ZERTO_PASSWORD'),
  testenv('ZERTO_CLIENT_SECRET'),
  testenv('OVH_APP_SECRET'),
  testenv('OVH_CONSUMER_KEY'),
  testenv('TSIG_SECRET'),
  testenv('R53_SECRET_ACCESS_KEY'),
  testenv('MYSQL_PASSWORD'),
  readFileSync(testenv('SSH_KEY'), 'utf8'),
  readFileSync(testenv('SSH_WRONG_KEY'), 'utf8'),
];

/** The env the topology's secret references read, with `wrong` variables holding a near miss. */
function envWith(wrong: readonly string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of wrong) env[name] = `${env[name]}x`;
  return env;
}

/** Runs `attempt` (output captured) and returns what it threw, recorded for the scan. */
async function failure(attempt: () => Promise<unknown>): Promise<Error> {
  const { result, output } = await captureOutput(() => attempt().then(() => new Error('expected a refusal'), (e: Error) => e));
  exposure.add(output);
  exposure.addError(result);
  return result;
}

const untrusted = { caFile: undefined };
const isTlsRefusal = (e: Error) => e instanceof PermanentError && /TLS verification failed|certificate/i.test(e.message);

/** The testenv topology with OVH DNS, an OVH IPLB and the guest file source over the testenv's OpenSSH. */
function topology(change: (t: Record<string, any>) => void = () => undefined): Topology {
  return testenvTopology((t) => {
    const ovh = ovhTopologyCredentials();
    t.traffic.dns = { provider: 'ovh', zone: testenv('DNS_ZONE'), record: 'app', nameservers: nameservers(), ...ovh };
    t.traffic.lb = { provider: 'ovh-iplb', serviceName: testenv('OVH_IPLB_SERVICE'), farmId: Number(testenv('OVH_IPLB_FARM')), servers: ovhIplbServers(), ...ovh };
    t.vms = [t.vms[0]];
    Object.assign(t.vms[0], { protected: false, guest: { sshHost: '127.0.0.1', sshPort: Number(testenv('SSH_PORT')), guardRoot: '/tmp/pra-never-written' } });
    delete t.vms[0].peer;
    t.vpgs = [];
    t.checks = {};
    t.guard = { sources: ['file'], ssh: { user: testenv('SSH_USER'), privateKey: { file: testenv('SSH_WRONG_KEY') }, hostKeySha256: [testenv('SSH_HOST_KEY_SHA256')] } };
    change(t);
  });
}

describe('every driver family keeps its secrets out of failures', () => {
  it('vSphere: refuses a wrong password and an untrusted certificate', async () => {
    const wrong = vcentersFromTopology(topology(), envWith(['PRA_TESTENV_VCENTER_PASSWORD']), { log: exposure.log });
    expect(await failure(() => wrong.rbx.powerState('VM-DOCKER-APP-A-RBX'))).toBeInstanceOf(AuthError);
    const untrustedCa = vcentersFromTopology(topology((t) => Object.assign(t.sites[0].vcenter, untrusted)), process.env, { log: exposure.log });
    expect(isTlsRefusal(await failure(() => untrustedCa.rbx.powerState('VM-DOCKER-APP-A-RBX')))).toBe(true);
    await Promise.all([...Object.values(wrong), ...Object.values(untrustedCa)].map((c) => c.close().catch(() => undefined)));
  });

  it('Zerto: refuses a wrong password (Keycloak and session), a wrong client secret and an untrusted certificate', async () => {
    const refused = [
      zertoFromTopology(topology(), envWith(['PRA_TESTENV_ZERTO_PASSWORD']), { log: exposure.log }),
      zertoFromTopology(topology((t) => (t.sites[0].zerto.auth = 'session')), envWith(['PRA_TESTENV_ZERTO_PASSWORD']), { log: exposure.log }),
      zertoFromTopology(
        topology((t) => Object.assign(t.sites[0].zerto, { grant: 'client_credentials', username: testenv('ZERTO_CLIENT_ID'), password: { env: 'PRA_TESTENV_ZERTO_CLIENT_SECRET' } })),
        envWith(['PRA_TESTENV_ZERTO_CLIENT_SECRET']),
        { log: exposure.log },
      ),
    ];
    for (const zerto of refused) expect(await failure(() => zerto.rbx.listVpgs())).toBeInstanceOf(AuthError);
    const untrustedCa = zertoFromTopology(topology((t) => Object.assign(t.sites[0].zerto, untrusted)), process.env, { log: exposure.log });
    expect(isTlsRefusal(await failure(() => untrustedCa.rbx.listVpgs()))).toBe(true);
    await Promise.all([...refused, untrustedCa].flatMap((z) => Object.values(z)).map((d) => d.client.close().catch(() => undefined)));
  });

  it('DNS: refuses a wrong OVH secret, TSIG key and AWS secret, and an untrusted OVH certificate', async () => {
    const ovh = dnsProviderFor(topology().traffic.dns!, { env: envWith(['PRA_TESTENV_OVH_APP_SECRET']), log: exposure.log });
    expect(await failure(() => ovh.applyChanges(pointTo(uniqueName('sec'), RECORD, 60)))).toBeInstanceOf(AuthError);
    const tsig = rfc2136Dns({ secret: Buffer.from(`${testenv('TSIG_SECRET')}x`).toString('base64'), log: exposure.log });
    expect(await failure(() => tsig.applyChanges(pointTo(uniqueName('sec'), RECORD, 60)))).toBeInstanceOf(AuthError);
    expect(await failure(() => route53Dns({ secretAccessKey: `${testenv('R53_SECRET_ACCESS_KEY')}x`, log: exposure.log }).records('app'))).toBeInstanceOf(AuthError);
    const untrustedCa = dnsProviderFor(topology((t) => Object.assign(t.traffic.dns, untrusted)).traffic.dns!, { log: exposure.log });
    expect(isTlsRefusal(await failure(() => untrustedCa.records('app')))).toBe(true);
  });

  it('load balancer: refuses a wrong OVH IPLB consumer key and an untrusted certificate', async () => {
    const wrong = loadBalancerFromTopology(topology(), envWith(['PRA_TESTENV_OVH_CONSUMER_KEY']), { log: exposure.log })!;
    expect(await failure(() => wrong.switchTo('rbx'))).toBeInstanceOf(AuthError);
    const untrustedCa = loadBalancerFromTopology(topology((t) => Object.assign(t.traffic.lb, untrusted)), process.env, { log: exposure.log })!;
    expect(isTlsRefusal(await failure(() => untrustedCa.servers()))).toBe(true);
  });

  it("publishers: report a refused SSH key and an unknown host key as the guest's error", async () => {
    const decision = { active: 'rbx', epoch: 1, by: 'test', at: '2026-05-01T00:00:00Z', reason: 'secret scan' };
    const publish = async (t: Topology) => {
      const { result, output } = await captureOutput(() => publishersFromTopology(t, {})[0].publish(decision));
      exposure.add(output);
      exposure.add(result);
      const [confirmation] = result;
      if (!('error' in confirmation)) throw new Error('expected a refusal');
      exposure.addError(confirmation.error);
      return confirmation.error;
    };
    expect(await publish(topology())).toBeInstanceOf(AuthError);
    const unknownHostKey = await publish(topology((t) => Object.assign(t.guard.ssh, { privateKey: { file: testenv('SSH_KEY') }, hostKeySha256: [`SHA256:${'A'.repeat(43)}`] })));
    expect(unknownHostKey).toBeInstanceOf(PermanentError);
    expect(unknownHostKey.message).toContain(testenv('SSH_HOST_KEY_SHA256'));
  });

  it('probes: report a wrong MySQL password, an untrusted HTTPS certificate and a refused SSH key', async () => {
    const results = await captureOutput(async () => [
      await probeMysql({ host: '127.0.0.1', port: Number(testenv('MYSQL_PORT')), user: testenv('MYSQL_USER'), password: new Secret(`${testenv('MYSQL_PASSWORD')}x`) }),
      await probeHttp({ url: `${testenv('OVH_ENDPOINT')}/auth/time` }),
      await probeSshCommand({ target: testenvSshTarget({ key: 'wrong' }), command: 'true' }),
    ]);
    exposure.add(results.output);
    exposure.add(results.result);
    expect(results.result.map((r) => r.ok)).toEqual([false, false, false]);
  });

  it('leaves none of the test secrets in any log line, error or output of the failures above', () => {
    expect(exposure.lines.join('\n')).not.toContain('expected a refusal');
    expect(exposure.lines.length).toBeGreaterThan(30);
    expect(exposure.leaked(secrets())).toEqual([]);
  });
});
