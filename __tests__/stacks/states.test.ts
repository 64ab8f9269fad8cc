import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'cdktf';
import { blocksOf } from '../../hooks/review';
import { buildApp } from '../../stacks/app';
import type { FailbackState } from '../../topology';
import { STATES, exampleTopology, synthJson, userDataOf } from '../helpers/project';
import { tempDirs } from '../helpers/tmp';

const STACKS = ['site-rbx', 'site-sbg', 'traffic', 'protection'];
const RBX_VMS = ['VM-DOCKER-APP-A-RBX', 'VM-MYSQL-APP-A-RBX'];
const SBG_VMS = ['VM-DOCKER-APP-B-SBG', 'VM-MYSQL-APP-B-SBG'];
const RBX_IP = '203.0.113.10';
const SBG_IP = '198.51.100.20';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());
const topology = exampleTopology();

function synthAll(state: FailbackState): Record<string, Record<string, any>> {
  const app: App = buildApp(topology, state, { outdir: dirs.make() });
  return Object.fromEntries(STACKS.map((id) => [id, synthJson(app, id)]));
}

/** The values Terraform would apply in this state for the attributes a failback moves. */
function effective(stacks: Record<string, Record<string, any>>, state: FailbackState) {
  const vm = (site: string, name: string) => {
    const leaves = blocksOf(stacks[`site-${site}`], state).get(`vsphere_virtual_machine.${name}`)!;
    return { startup_mode: leaves.get('extra_config["pra.failback.startup_mode"]'), enabled: leaves.get('extra_config["pra.failback.enabled"]') };
  };
  return {
    vms: Object.fromEntries([...RBX_VMS.map((n) => [n, vm('rbx', n)]), ...SBG_VMS.map((n) => [n, vm('sbg', n)])]),
    recordTarget: blocksOf(stacks.traffic, state).get('ovh_domain_zone_record.active-site-record')!.get('target'),
  };
}

const variableDefaults = (state: FailbackState) => ({
  variable: {
    failback_site: { default: state.failback_site },
    enable_failback_pause_mode: { default: state.enable_failback_pause_mode },
    active_site: { default: state.active_site },
  },
});

/** Literal values only: a property matcher is a subset check, and literals keep the full value in the snapshot. */
const failbackKeys = (site: string) => ({
  extra_config: {
    'pra.failback.site': site,
    'guestinfo.pra.site': site,
    'pra.failback.startup_mode': `\${(((var.failback_site == "${site}") && var.enable_failback_pause_mode) && (var.active_site != "${site}")) ? "suspended" : "normal"}`,
    'guestinfo.pra.guard.sources': 'guestinfo,file',
    // A reference to the stack's local holding the compressed guard install (decoded below).
    'guestinfo.userdata': expect.stringMatching(/^\$\{local\.cloud_init_userdata_[0-9a-f]{12}\}$/),
  },
  extra_config_reboot_required: false,
});

describe.each(Object.entries(STATES))('the %s state', (name, state) => {
  const stacks = synthAll(state);

  it.each(STACKS)('synthesizes stack %s as its reviewed snapshot', (id) => {
    const matchers: Record<string, unknown> = { ...variableDefaults(state) };
    if (id.startsWith('site-')) {
      const site = id.slice(5);
      matchers.resource = { vsphere_virtual_machine: Object.fromEntries((site === 'rbx' ? RBX_VMS : SBG_VMS).map((vm) => [vm, failbackKeys(site)])) };
    }
    if (id === 'traffic') matchers.resource = { ovh_domain_zone_record: { 'active-site-record': { target: `\${{"rbx" = "${RBX_IP}", "sbg" = "${SBG_IP}"}[var.active_site]}`, ttl: 60 } } };
    // The compressed guard install changes with every guard edit; its text is pinned by the userdata snapshot
    // (constructs) and decoded below, so the snapshot holds a placeholder.
    const locals = stacks[id].locals && Object.fromEntries(Object.keys(stacks[id].locals).map((k) => [k.replace(/[0-9a-f]{12}$/, '<sha256 of the text>'), '<gzip+base64 cloud-init: the guard installer>']));
    expect({ ...stacks[id], ...(locals && { locals }) }).toMatchSnapshot(matchers);
  });

  it('evaluates to the start-up modes and record target the state calls for', () => {
    const paused = state.failback_site === 'rbx' && state.enable_failback_pause_mode && state.active_site !== 'rbx';
    const values = effective(stacks, state);
    for (const vm of RBX_VMS) expect(values.vms[vm]).toEqual({ startup_mode: paused ? 'suspended' : 'normal', enabled: paused ? 'true' : 'false' });
    for (const vm of SBG_VMS) expect(values.vms[vm]).toEqual({ startup_mode: 'normal', enabled: 'false' });
    expect(values.recordTarget).toBe(state.active_site === 'rbx' ? RBX_IP : SBG_IP);
    expect(values).toMatchSnapshot(`effective values (${name})`);
  });
});

/** Every leaf path of a JSON document with its value. */
function leaves(value: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) for (const [p, v] of leaves(child, `${path}/${key}`)) out.set(p, v);
  } else out.set(path, value);
  return out;
}

function changedPaths(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const [la, lb] = [leaves(a), leaves(b)];
  return [...new Set([...la.keys(), ...lb.keys()])].filter((p) => JSON.stringify(la.get(p)) !== JSON.stringify(lb.get(p))).sort();
}

describe('consecutive states', () => {
  const synthesized = Object.fromEntries(Object.entries(STATES).map(([name, state]) => [name, synthAll(state)]));
  const everyStack = (variable: string) => STACKS.map((id) => `${id}: /variable/${variable}/default`).sort();
  const diffOf = (from: string, to: string) => STACKS.flatMap((id) => changedPaths(synthesized[from][id], synthesized[to][id]).map((p) => `${id}: ${p}`)).sort();

  it('failing over changes the three defaults (active site, failback site, pause mode armed), in every stack', () => {
    expect(diffOf('normal', 'failedOver')).toEqual(['active_site', 'enable_failback_pause_mode', 'failback_site'].flatMap(everyStack).sort());
  });

  it('pausing the failback changes only the failback_site default, in every stack', () => {
    expect(diffOf('failedOver', 'failbackPaused')).toEqual(everyStack('failback_site'));
  });

  it('switching traffic back changes only the active_site default, in every stack', () => {
    expect(diffOf('failbackPaused', 'switched')).toEqual(everyStack('active_site'));
  });
});

describe('the guard install on every VM', () => {
  it('puts the cloud-init fragment that installs pra-guard for the VM own site in guestinfo.userdata', () => {
    const stacks = synthAll(STATES.normal);
    for (const [site, vms] of [['rbx', RBX_VMS], ['sbg', SBG_VMS]] as const) {
      for (const vm of vms) {
        const config = stacks[`site-${site}`].resource.vsphere_virtual_machine[vm].extra_config;
        expect(config['guestinfo.userdata.encoding']).toBe('gzip+base64');
        const cloudConfig = userDataOf(stacks[`site-${site}`], vm)!;
        expect(cloudConfig).toMatch(/^#cloud-config/);
        expect(cloudConfig).toContain('/usr/local/sbin/pra-guard');
        expect(cloudConfig).toContain(`- path: /etc/pra/site\n    owner: root:root\n    permissions: '0644'\n    content: "${site}\\n"`);
      }
    }
  });
});

describe('docs/infrastructure.md', () => {
  /** The rows of the "four states" table: `| state | failback_site | pause | active_site | effect |`. */
  const rows = readFileSync(join(__dirname, '..', '..', 'docs', 'infrastructure.md'), 'utf8')
    .split('\n')
    .map((line) => /^\| ([^|]+) \| (rbx|sbg) \| (true|false) \| (rbx|sbg) \| (.+) \|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null);

  it('lists the four snapshot states', () => {
    expect(rows.map((m) => ({ failback_site: m[2], enable_failback_pause_mode: m[3] === 'true', active_site: m[4] }))).toEqual(Object.values(STATES));
  });

  it.each(rows.map((m) => [m[1], m] as const))('the "%s" row says which VMs the synthesized stacks declare suspended', (_name, m) => {
    const state = { failback_site: m[2], enable_failback_pause_mode: m[3] === 'true', active_site: m[4] };
    const { vms } = effective(synthAll(state), state);
    const modes = [...RBX_VMS, ...SBG_VMS].map((n) => vms[n].startup_mode);
    const rbxModes = RBX_VMS.map((n) => vms[n].startup_mode);
    const effect = m[5];
    if (effect.includes('every VM `normal`')) expect(new Set(modes)).toEqual(new Set(['normal']));
    else {
      expect(effect).toContain('RBX VMs `startup_mode = suspended`');
      expect(new Set(rbxModes)).toEqual(new Set(['suspended']));
    }
  });
});
