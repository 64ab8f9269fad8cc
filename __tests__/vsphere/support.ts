import { randomBytes } from 'node:crypto';
import { Secret } from '../../hooks/drivers/common/secret';
import { VsphereClient, type VsphereConfig, type VsphereDeps } from '../../hooks/drivers/vsphere';
import { provisionVms } from '../../testenv/vcsim/provision';
import type { SimulatedVm } from '../../testenv/vcsim/inventory';
import { testenv } from '../support/testenv';

/** Every log line the suite's clients wrote, for the secret-leak check. */
export const logLines: string[] = [];

/** The config of the RBX simulator (or of the fault proxy in front of it), trusting the testenv CA. */
export function aConfig(via: 'direct' | 'proxy' = 'direct', config: Partial<VsphereConfig> = {}): VsphereConfig {
  const prefix = via === 'proxy' ? 'VCENTER_PROXY' : 'VCENTER_RBX';
  return {
    url: testenv(`${prefix}_URL`),
    datacenter: testenv(`${prefix}_DATACENTER`),
    username: testenv('VCENTER_USER'),
    password: new Secret(testenv('VCENTER_PASSWORD')),
    caFile: testenv('CA'),
    ...config,
  };
}

/** A client of the RBX simulator (or of the fault proxy in front of it) trusting the testenv CA. */
export function aClient(options: { via?: 'direct' | 'proxy'; config?: Partial<VsphereConfig>; deps?: VsphereDeps } = {}): VsphereClient {
  return new VsphereClient(aConfig(options.via, options.config), { log: (line) => logLines.push(line), retry: { baseDelayMs: 10 }, ...options.deps });
}

/** Unique per test file: jest runs files in one worker process, and the simulator outlives a run. */
const runId = randomBytes(3).toString('hex');
let counter = 0;
/** VMs of this test file only, created on the RBX simulator, so tests never race other suites' VMs. */
export async function someVms(power: SimulatedVm['power'], count = 1, extra: Partial<SimulatedVm> = {}): Promise<string[]> {
  const names = Array.from({ length: count }, () => `TEST-VSPHERE-${runId}-${++counter}`);
  await provisionVms(process.env as Record<string, string>, 'rbx', names.map((name) => ({ name, power, ...extra })));
  return names;
}

/** Sends a command to the fault proxy's control port. */
export async function proxyControl(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${testenv('VCENTER_PROXY_CONTROL_URL')}${path}`, {
    method: body === undefined && path === '/stats' ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`proxy control ${path}: HTTP ${res.status}`);
  return res.json();
}
