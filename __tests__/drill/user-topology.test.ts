import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { vcentersFromTopology } from '../../hooks/drivers/vsphere/from-topology';
import { vsphereConfigForSite, VsphereClient } from '../../hooks/drivers/vsphere';
import { vmsOf } from '../../hooks/steps/topology-views';
import { runDrill, type DrillResult } from '../../testenv/drill/drill';
import { prepareDrillWorld } from '../../testenv/drill/world';
import { loadTopology, parseTopology, type DriverFamily, type Site } from '../../topology';
import { placementOf } from '../../testenv/vcsim/inventory';
import { slotOf } from '../../testenv/drill/local-topology';
import { stringify } from 'yaml';
import { operate } from '../../hooks/engine/operation';
import { pra } from '../helpers/project';
import { engineOptions, outcome } from '../support/drill';
import { siteVcenter } from '../support/site-vcenter';
import { expectNoSecrets } from '../support/secret-scan';
import { tempDirs } from '../helpers/tmp';
import { exclusive } from '../support/exclusive';
import { aUserTopology, writeTopology } from '../support/user-topology';
import { vmPlacements } from '../support/vcsim-placement';
import { testenv } from '../support/testenv';

// Each drill has its lane's VMs, DNS record and HAProxy backend (testenv/drill/lanes.ts) and a Zerto instance of
// its own; the IPLB farm is the OVH tests' too. The OVH and Route 53 tests reset their simulator (every zone, the
// drill's included) and inject faults there.
exclusive('ovh-simulator');
exclusive('route53-simulator');

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** A drilled site's vCenter config straight to its simulator: after a failover drill the lost site's relay is cut again. */
const directConfig = (site: Site) => vsphereConfigForSite({ ...site, vcenter: { ...site.vcenter, url: testenv(`VCENTER_${slotOf(site)}_URL`) } });

/**
 * The local world is built from the topology's own vCenter inventory: vCenter (vcsim, read over vim25) holds each
 * site's VMs under `/<its datacenter>-lane<N>/vm` (the drill lane's copy of the datacenter), on its cluster,
 * datastore and network, and so are the VMs a recovery made there (named as their protected VMs); the engine's
 * Terraform state moves import the recovered VMs by that datacenter's paths.
 */
async function expectOwnInventory(result: DrillResult, prefix: string, family: DriverFamily, to: string): Promise<void> {
  const user = parseTopology('user', stringify(aUserTopology(prefix, family)));
  const drilled = loadTopology(join(result.dir, 'topology.yaml'));
  const peerOf = (vm: string) => user.vms.find((v) => v.name === vm)!.peer!;
  for (const site of user.sites) {
    const local = drilled.sites.find((s) => s.name === site.name)!;
    expect(placementOf(local)).toEqual({ ...placementOf(site), datacenter: expect.stringMatching(new RegExp(`^${site.vcenter.datacenter}-lane\\d+$`)) });
    const client = new VsphereClient(directConfig(local));
    const present = [...(await client.powerStates(user.vms.map((vm) => vm.name)).finally(() => client.close())).keys()];
    if (site.name === to) expect(present).toEqual(expect.arrayContaining(vmsOf(user, to).map(peerOf)));
    const placements = await vmPlacements(directConfig(local), present);
    expect([...placements.values()]).toEqual(present.map(() => placementOf(local)));
  }
  const moves = (result.timeline.view.steps.find((s) => s.id === 'commit.terraform-state')?.output as { moves: { importId: string }[] }).moves;
  // Each state move imports the VM recovered under its protected VM's name (Zerto's naming): the peer's.
  const datacenter = drilled.sites.find((s) => s.name === to)!.vcenter.datacenter;
  expect(moves.map((m) => m.importId).sort()).toEqual(vmsOf(user, to).map((vm) => `/${datacenter}/vm/${peerOf(vm)}`).sort());
}

function drill(prefix: string, family: DriverFamily, options: { direction: 'failback' | 'failover'; guard?: boolean }): Promise<DrillResult> {
  const file = writeTopology(dirs.make('pra-user-topology-'), aUserTopology(prefix, family));
  return runDrill({ topologyFile: file, direction: options.direction, guard: options.guard ?? true, settleSeconds: 2 });
}

/** The facts every completed drill of these topologies shows, from `from` to `to`. */
function expectCompleted(result: DrillResult, from: string, to: string, vpg: string): void {
  expect(result.timeline.view.state).toBe('completed');
  expectFinalStates(result, from, to, vpg);
}

function expectFinalStates(result: Pick<DrillResult, 'finals' | 'overlap' | 'executionsPerSite'>, from: string, to: string, vpg: string): void {
  expect(result.finals).toEqual({
    authority: `${to}@3`,
    [`${to}Vms`]: 'poweredOn,poweredOn,poweredOn',
    // Zerto recovers VMs under the protected VMs' names: a commit with reverse protection removed the protected VMs
    // (the VPG replicates back), one without it (the site was lost) left them as the disaster did: off.
    [`${from}Vms`]: vpg.startsWith('Recovered') ? 'poweredOff,poweredOff,poweredOff' : 'absent,absent,absent',
    vpg,
    [`dnsOn${to.charAt(0).toUpperCase()}${to.slice(1)}`]: 'true',
    [`lbOn${to.charAt(0).toUpperCase()}${to.slice(1)}`]: 'true',
  });
  expect(result.overlap.windowMs).toBe(0);
  expect(result.executionsPerSite[from]).toBeGreaterThan(0);
}

describe('pra drill --topology: a user topology on OVH DNS, OVH IPLB and a file authority (guard: guestinfo + file)', () => {
  it('fails back lyon -> paris with zero double execution, jobs having run on both sites', async () => {
    const result = await drill('oa', 'ovh-iplb-file', { direction: 'failback' });
    expect(result.topology.name).toBe('oa-shop');
    expectCompleted(result, 'lyon', 'paris', 'MeetingSLA paris -> lyon');
    expect(result.executionsPerSite.paris).toBeGreaterThan(0);
    await expectOwnInventory(result, 'oa', 'ovh-iplb-file', 'paris');
  }, 240_000);

  it('fails over paris -> lyon after the disaster (--force) with zero double execution', async () => {
    const result = await drill('ob', 'ovh-iplb-file', { direction: 'failover' });
    expectCompleted(result, 'paris', 'lyon', 'Recovered paris -> lyon');
    expect(result.executionsPerSite.lyon).toBeGreaterThan(0);
    await expectOwnInventory(result, 'ob', 'ovh-iplb-file', 'lyon');
  }, 240_000);
});

describe('pra drill --topology: a user topology on Route 53, HAProxy and an etcd authority (guard: guestinfo + etcd)', () => {
  it('fails back lyon -> paris with zero double execution', async () => {
    const result = await drill('ra', 'route53-haproxy-etcd', { direction: 'failback' });
    expectCompleted(result, 'lyon', 'paris', 'MeetingSLA paris -> lyon');
    expect(result.executionsPerSite.paris).toBeGreaterThan(0);
  }, 240_000);

  it('fails over paris -> lyon with zero double execution, as `pra drill --direction failover --json` reports it (exit 0)', async () => {
    const dir = dirs.make('pra-user-topology-');
    const file = writeTopology(dir, aUserTopology('rb', 'route53-haproxy-etcd'));
    const { code, stdout, stderr } = await pra(['drill', '--topology', file, '--direction', 'failover', '--settle', '2', '--json'], { cwd: dir });
    const result = JSON.parse(stdout) as DrillResult & { reportFile: string };
    // The local secrets the drill handed to the topology's references never reach its output or report.
    const secrets = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => /PASSWORD|SECRET|CONSUMER_KEY/.test(name) && name.startsWith('PRA_TESTENV_') && value));
    expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(6); // vCenter, Zerto, OVH, TSIG, MySQL, Route 53...
    expectNoSecrets(secrets as Record<string, string>, { stdout, stderr, report: readFileSync(result.reportFile, 'utf8') });
    expect({ code, topology: result.topology, direction: result.direction }).toEqual({ code: 0, topology: { name: 'rb-shop', file }, direction: 'failover' });
    expectFinalStates(result, 'paris', 'lyon', 'Recovered paris -> lyon'); // exit 0: the run completed (3 otherwise)
  }, 240_000);

  it('measures a non-zero double execution when the guests run their jobs without the guard', async () => {
    const result = await drill('rc', 'route53-haproxy-etcd', { direction: 'failback', guard: false });
    expect(result.timeline.view.state).toBe('completed');
    expect(result.overlap.windowMs).toBeGreaterThan(0);
    expect(new Set(result.overlap.overlaps.map((o) => [o.a.site, o.b.site].sort().join('+')))).toEqual(new Set(['lyon+paris']));
  }, 240_000);
});

describe('pra drill --topology: a user topology on RFC 2136 DNS', () => {
  it('fails back lyon -> paris with zero double execution', async () => {
    const result = await drill('da', 'rfc2136-haproxy-file', { direction: 'failback' });
    expectCompleted(result, 'lyon', 'paris', 'MeetingSLA paris -> lyon');
  }, 240_000);
});

/** Rewrites the gzip+base64 userdata locals of a synthesized site stack (as a bad template or a typo would). */
function breakUserData(stackFile: string, edit: (cloudConfig: string) => string): void {
  const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as { locals: Record<string, string> };
  for (const [name, value] of Object.entries(stack.locals)) {
    if (name.startsWith('cloud_init_userdata_')) stack.locals[name] = gzipSync(edit(gunzipSync(Buffer.from(value, 'base64')).toString('utf8'))).toString('base64');
  }
  writeFileSync(stackFile, JSON.stringify(stack));
}

describe('pra drill --topology with a broken synthesized userdata', () => {
  it('fails before the run, naming the VM and the userdata, when the guard is installed under a wrong path', async () => {
    const file = writeTopology(dirs.make('pra-user-topology-'), aUserTopology('bu', 'rfc2136-haproxy-file'));
    const afterSynth = (outdir: string) => breakUserData(join(outdir, 'stacks', 'site-paris', 'cdk.tf.json'), (text) => text.replace('path: /usr/local/sbin/pra-guard\n', 'path: /usr/local/sbin/pra-gaurd\n'));
    await expect(runDrill({ topologyFile: file, direction: 'failback', guard: true, settleSeconds: 0, afterSynth })).rejects.toThrow(
      /^drill: guest BU-[A-Z]+-\d-PARIS: its guestinfo\.userdata \(.*\/cdktf\.out\/stacks\/site-paris\/cdk\.tf\.json\) failed \(1\):[\s\S]*\/usr\/local\/sbin\/pra-guard: not found/,
    );
  }, 120_000);
});

describe('pra drill --topology twice on the same topology', () => {
  it("gives the second drill's guests its own guard settings in vCenter, not the first drill's", async () => {
    const file = writeTopology(dirs.make('pra-user-topology-'), aUserTopology('tw', 'route53-haproxy-etcd'));
    const first = await prepareDrillWorld({ topologyFile: file, guard: true });
    await first.finish();
    const second = await prepareDrillWorld({ topologyFile: file, guard: true, lane: first.lane }); // the VMs the first left
    const vcenters = vcentersFromTopology(second.topology);
    try {
      const vm = second.topology.vms[0];
      expect((await vcenters[vm.site].readExtraConfig(vm.name))['guestinfo.pra.guard.etcd_key']).toBe(`/pra/drill/${basename(second.dir)}/active-site`);
    } finally {
      await Promise.all(Object.values(vcenters).map((v) => v.close()));
      await second.finish();
    }
  }, 120_000);
});

describe('pra drill --topology with recovered VMs named as Zerto names them (the protected VMs\' names)', () => {
  it("creates them in the recovery site's datacenter, never in the testenv's default datacenters; the next drill in the lane starts with the protected VMs back in theirs", async () => {
    const file = writeTopology(dirs.make('pra-user-topology-'), aUserTopology('pn', 'route53-haproxy-etcd'));
    const world = await prepareDrillWorld({ topologyFile: file, guard: true, recoveredNames: 'protected' });
    const [paris, lyon] = ['paris', 'lyon'].map((name) => world.topology.sites.find((s) => s.name === name)!);
    const lyonVms = vmsOf(world.topology, 'lyon');
    try {
      expect(outcome(await operate('start', world.systems, world.failback, engineOptions(world)))).toEqual({ state: 'completed' });
      // The failover recovered the lyon VMs at paris under their own names: in paris's datacenter, on its cluster, datastore and network.
      expect([...(await vmPlacements(directConfig(paris), lyonVms)).values()]).toEqual(lyonVms.map(() => placementOf(paris)));
    } finally {
      await world.finish();
    }
    const defaults = [siteVcenter('rbx'), siteVcenter('sbg')];
    try {
      for (const client of defaults) expect(await client.powerStates(lyonVms)).toEqual(new Map());
    } finally {
      await Promise.all(defaults.map((c) => c.close()));
    }
    // Its commit removed the protected VMs; the next drill in the lane removes what the recovery made and puts them back where they were.
    const next = await prepareDrillWorld({ topologyFile: file, guard: true, recoveredNames: 'protected', lane: world.lane });
    const parisClient = new VsphereClient(directConfig(paris));
    try {
      expect([...(await vmPlacements(directConfig(lyon), lyonVms)).values()]).toEqual(lyonVms.map(() => placementOf(lyon)));
      expect(await parisClient.powerStates(lyonVms)).toEqual(new Map());
    } finally {
      await parisClient.close();
      await next.finish();
    }
  }, 240_000);
});
