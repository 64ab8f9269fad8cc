import { Testing, TerraformStack, type App } from 'cdktf';
import { VirtualMachine } from '@cdktf/provider-vsphere/lib/virtual-machine';
import { ActiveSiteRecord } from '../../constructs/active-site-record';
import { startupModeExpression } from '../../constructs/failback-expressions';
import { applyPolicy, suppressPolicy } from '../../constructs/policy/aspect';
import { appIndexOf } from '../../constructs/policy/app-index';
import { praRules } from '../../constructs/policy/rules';
import { ProtectedVm } from '../../constructs/protected-vm';
import { ProtectionGroup } from '../../constructs/protection-group';
import { buildApp } from '../../stacks/app';
import type { SiteStack } from '../../stacks/site-stack';
import type { TrafficStack } from '../../stacks/traffic-stack';
import { generateTopology, topologySchema, vpgSpecs, type Topology } from '../../topology';
import { STATES, exampleInput, exampleTopology, stackOf } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const appFor = (topology: Topology = exampleTopology()) => buildApp(topology, STATES.normal, { outdir: dirs.make() });
/** A topology the loader would refuse (cross-field rules skipped): the policy must catch it on its own. */
const corrupted = (change: (input: Record<string, any>) => void) => {
  const input = exampleInput();
  change(input);
  return topologySchema.parse(input);
};
const synth = (app: App, id: string) => () => Testing.synth(stackOf(app, id), true);
const vmNamed = (app: App, name: string) => app.node.findAll().find((c): c is ProtectedVm => c instanceof ProtectedVm && c.vmName === name)!;
const rogueVm = (app: App, extraConfig: Record<string, string>, rebootRequired?: boolean) =>
  new VirtualMachine(stackOf(app, 'site-rbx'), 'rogue', { name: 'ROGUE', resourcePoolId: 'pool', extraConfig, extraConfigRebootRequired: rebootRequired });

interface Case {
  readonly rule: string;
  readonly stack: string;
  readonly message: RegExp;
  readonly arrange: () => App;
}

const cases: Case[] = [
  {
    rule: 'PRA-VM-001',
    stack: 'site-rbx',
    message: /VM VM-DOCKER-APP-A-RBX declares guestinfo.pra.active_site/,
    arrange: () => {
      const app = appFor();
      vmNamed(app, 'VM-DOCKER-APP-A-RBX').resource.addOverride('extra_config', { 'guestinfo.pra.active_site': 'rbx' });
      return app;
    },
  },
  {
    rule: 'PRA-VM-002',
    stack: 'site-rbx',
    message: /VM ROGUE has extra_config_reboot_required = "\(unset: true\)"/,
    arrange: () => {
      const app = appFor();
      rogueVm(app, { 'pra.failback.site': 'rbx', 'pra.failback.startup_mode': 'normal' });
      return app;
    },
  },
  {
    rule: 'PRA-VM-003',
    stack: 'site-rbx',
    message: /VM VM-MYSQL-APP-A-RBX on site "rbx" declares startup_mode "suspended"/,
    arrange: () => {
      const app = appFor();
      vmNamed(app, 'VM-MYSQL-APP-A-RBX').resource.addOverride('extra_config', { 'pra.failback.startup_mode': 'suspended' });
      return app;
    },
  },
  {
    rule: 'PRA-VM-003',
    stack: 'site-rbx',
    message: /VM VM-DOCKER-APP-A-RBX on site "rbx" declares startup_mode ".*var.failback_site == \\"sbg\\"/,
    arrange: () => {
      const app = appFor();
      const stack = stackOf(app, 'site-rbx') as SiteStack;
      vmNamed(app, 'VM-DOCKER-APP-A-RBX').resource.addOverride('extra_config', { 'pra.failback.startup_mode': startupModeExpression(stack.failback, 'sbg') });
      return app;
    },
  },
  {
    rule: 'PRA-VM-004',
    stack: 'site-rbx',
    message: /VM VM-DOCKER-APP-A-RBX is protected but names no peer/,
    arrange: () => appFor(corrupted((t) => delete t.vms[0].peer)),
  },
  {
    rule: 'PRA-VM-004',
    stack: 'site-sbg',
    message: /VM VM-MYSQL-APP-B-SBG names peer VM-DOCKER-APP-B-SBG, which is on the same site sbg/,
    arrange: () => appFor(corrupted((t) => (t.vms[3].peer = 'VM-DOCKER-APP-B-SBG'))),
  },
  {
    rule: 'PRA-VM-005',
    stack: 'site-sbg',
    message: /VM VM-MYSQL-APP-B-SBG \(site sbg\) is in no VPG/,
    arrange: () => appFor(corrupted((t) => (t.vpgs[1].vms = ['VM-DOCKER-APP-B-SBG']))),
  },
  {
    rule: 'PRA-VPG-001',
    stack: 'protection',
    message: /VPG VPG-RBX-TO-SBG: VM-GHOST-RBX is not declared/,
    arrange: () => appFor(corrupted((t) => t.vpgs[0].vms.push('VM-GHOST-RBX'))),
  },
  {
    rule: 'PRA-VPG-001',
    stack: 'protection',
    message: /VPG VPG-SBG-TO-RBX: VM-DOCKER-APP-A-RBX is on rbx, not on source site sbg/,
    arrange: () => appFor(corrupted((t) => t.vpgs[1].vms.push('VM-DOCKER-APP-A-RBX'))),
  },
  {
    rule: 'PRA-VPG-002',
    stack: 'protection',
    message: /VPG VPG-PAR-TO-RBX names unknown site\(s\) par/,
    arrange: () => {
      const app = appFor();
      const [spec] = vpgSpecs(exampleTopology());
      new ProtectionGroup(stackOf(app, 'protection'), 'VPG-PAR-TO-RBX', { spec: { ...spec, name: 'VPG-PAR-TO-RBX', sourceSite: 'par', targetSite: 'rbx', vms: ['VM-DOCKER-APP-A-RBX'] } });
      return app;
    },
  },
  {
    rule: 'PRA-DNS-001',
    stack: 'traffic',
    message: /maps unknown site\(s\) par and has no IP for site\(s\) sbg/,
    arrange: () => {
      const app = appFor();
      const traffic = stackOf(app, 'traffic') as TrafficStack;
      new ActiveSiteRecord(traffic, 'second-record', {
        backend: { provider: 'route53', hostedZoneId: 'Z0123456789ABC', region: 'eu-west-3' },
        zone: 'example.com',
        recordName: 'www',
        sitePublicIps: { rbx: '203.0.113.10', par: '192.0.2.30' },
        failback: traffic.failback,
      });
      return app;
    },
  },
  {
    rule: 'PRA-DNS-002',
    stack: 'traffic',
    message: /record targets "203.0.113.10" instead of/,
    arrange: () => {
      const app = appFor();
      (stackOf(app, 'traffic') as TrafficStack).record.resource.addOverride('target', '203.0.113.10');
      return app;
    },
  },
  {
    rule: 'PRA-STK-001',
    stack: 'extra',
    message: /stack extra does not declare failback_site, enable_failback_pause_mode, active_site/,
    arrange: () => {
      const app = appFor();
      new TerraformStack(app, 'extra');
      applyPolicy(app);
      return app;
    },
  },
];

describe('the policy rule pack', () => {
  it('lets the example app synthesize with every rule passing', () => {
    const app = appFor();
    for (const id of ['site-rbx', 'site-sbg', 'traffic', 'protection']) expect(synth(app, id)).not.toThrow();
  });

  it('lets a generated 40-VM topology with five VPGs per direction synthesize with every rule passing', () => {
    const app = appFor(generateTopology({ vms: 40, vmsPerVpg: 4 }));
    for (const id of ['site-rbx', 'site-sbg', 'traffic', 'protection']) expect(synth(app, id)).not.toThrow();
    expect(Object.keys(JSON.parse(synth(app, 'protection')()).resource.terraform_data)).toHaveLength(10);
  });

  it.each(praRules.map((r) => [r.id, r] as const))('finds nothing wrong with the example app under %s', (_id, rule) => {
    const app = appFor();
    for (const node of app.node.findAll()) expect(rule.check(node, appIndexOf(node))).toBeUndefined();
  });

  it.each(cases.map((c) => [c.rule, c.message.source, c] as const))('%s fails the synth of a bad tree (%s)', (rule, _message, c) => {
    expect(synth(c.arrange(), c.stack)).toThrow(new RegExp(`\\[${rule}\\] ${c.message.source}`));
  });

  it('has a bad-tree case for every rule', () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(praRules.map((r) => r.id)));
  });

  it('names the construct path, the explanation and the fix in a finding', () => {
    const app = appFor(corrupted((t) => (t.vpgs[1].vms = ['VM-DOCKER-APP-B-SBG'])));
    expect(synth(app, 'site-sbg')).toThrow(/\[site-sbg\/VM-MYSQL-APP-B-SBG\] \[PRA-VM-005\] .*would be missing on the other site.* Fix: Add the VM to a VPG/);
  });

  it('accepts a suppression with a reason and records it as an info annotation', () => {
    const app = appFor(corrupted((t) => (t.vpgs[1].vms = ['VM-DOCKER-APP-B-SBG'])));
    const vm = vmNamed(app, 'VM-MYSQL-APP-B-SBG');
    suppressPolicy(vm, 'PRA-VM-005', 'replicated by storage-level mirroring, not Zerto');
    expect(synth(app, 'site-sbg')).not.toThrow();
    expect(vm.node.metadata.map((m) => m.data)).toContain('[PRA-VM-005] suppressed: replicated by storage-level mirroring, not Zerto');
  });

  it('refuses a suppression without a reason', () => {
    const app = appFor();
    expect(() => suppressPolicy(vmNamed(app, 'VM-MYSQL-APP-B-SBG'), 'PRA-VM-005', '')).toThrow(/site-sbg\/VM-MYSQL-APP-B-SBG: suppression of PRA-VM-005: reason = "": must explain/);
  });
});
