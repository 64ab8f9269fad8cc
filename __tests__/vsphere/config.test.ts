import { join } from 'node:path';
import { SecretUnavailableError } from '../../hooks/drivers/common/secret';
import { vsphereConfigForSite } from '../../hooks/drivers/vsphere';
import { loadTopology } from '../../topology';

const topology = loadTopology(join(__dirname, '../../examples/ovh-rbx-sbg.yaml'));
const rbx = topology.sites.find((s) => s.name === 'rbx')!;

describe('vSphere config from a topology site', () => {
  it('takes the endpoint and datacenter from the site and the password from its env var, hidden', () => {
    const config = vsphereConfigForSite(rbx, { PRA_RBX_VCENTER_PASSWORD: 's3cret-value' });
    expect(config).toMatchObject({ url: rbx.vcenter.url, datacenter: 'pcc-rbx', username: rbx.vcenter.username, name: 'vcenter rbx' });
    expect(config.password.reveal()).toBe('s3cret-value');
    expect(JSON.stringify(config)).not.toContain('s3cret-value');
  });

  it('says which variable to export when the password is missing', () => {
    expect(() => vsphereConfigForSite(rbx, {})).toThrow(SecretUnavailableError);
    expect(() => vsphereConfigForSite(rbx, {})).toThrow(/PRA_RBX_VCENTER_PASSWORD/);
  });
});
