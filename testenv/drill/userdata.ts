import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ExtraConfigKey } from '../../constructs/extra-config';
import { StackId } from '../../stacks/app';
import type { Topology } from '../../topology';

/** A VM's cloud-init user data as its site stack synthesized it, and where it was read. */
export interface SynthesizedUserData {
  readonly vm: string;
  /** `cdktf.out/stacks/site-X/cdk.tf.json` */
  readonly file: string;
  readonly text: string;
}

interface StackJson {
  readonly locals?: Record<string, string>;
  readonly resource?: { readonly vsphere_virtual_machine?: Record<string, { name: string; extra_config?: Record<string, string> }> };
}

/** A Terraform local reference as cdktf writes it: `${local.NAME}`. */
const LOCAL_REF = /^\$\{local\.([A-Za-z0-9_-]+)\}$/;

/** Each VM's declared extra_config in the synthesized stack of `site`, by VM name. */
function stackVms(outdir: string, site: string): { file: string; stack: StackJson; byName: Map<string, Record<string, string>> } {
  const file = join(outdir, 'stacks', StackId.site(site), 'cdk.tf.json');
  if (!existsSync(file)) throw new Error(`drill: ${file} is missing: the site stack of ${site} was not synthesized`);
  const stack = JSON.parse(readFileSync(file, 'utf8')) as StackJson;
  return { file, stack, byName: new Map(Object.values(stack.resource?.vsphere_virtual_machine ?? {}).map((r) => [r.name, r.extra_config ?? {}])) };
}

/**
 * The guestinfo keys each VM's site stack declares with a literal value (not the user data and metadata,
 * nor values Terraform computes), as the VMX of a deployed VM holds them.
 */
export function declaredGuestinfo(outdir: string, topology: Topology): Map<string, Record<string, string>> {
  return new Map(
    topology.sites.flatMap((site) =>
      [...stackVms(outdir, site.name).byName].map(([vm, config]) => [
        vm,
        Object.fromEntries(Object.entries(config).filter(([key, value]) => key.startsWith('guestinfo.pra.') && !value.includes('${'))),
      ]),
    ),
  );
}

/**
 * Every VM's `guestinfo.userdata` read back from the synthesized site stacks in `outdir` (cdktf.out), as
 * the vSphere provider would send it: the value or the local it references, decoded per
 * `guestinfo.userdata.encoding`. A VM without user data, or with one that cannot be decoded, throws
 * naming the VM and the file.
 */
export function synthesizedUserData(outdir: string, topology: Topology): SynthesizedUserData[] {
  return topology.sites.flatMap((site) => {
    const { file, stack, byName } = stackVms(outdir, site.name);
    return topology.vms
      .filter((vm) => vm.site === site.name)
      .map((vm) => {
        const fail = (why: string) => new Error(`drill: guest ${vm.name}: guestinfo.userdata in ${file} ${why}`);
        const config = byName.get(vm.name);
        if (!config) throw fail('is missing: the stack declares no vsphere_virtual_machine of this name');
        const value = config[ExtraConfigKey.userData];
        if (value === undefined) throw fail('is not declared: the guard would never be installed');
        const local = LOCAL_REF.exec(value)?.[1];
        const encoded = local === undefined ? value : stack.locals?.[local];
        if (encoded === undefined) throw fail(`references local.${local}, which the stack does not define`);
        const encoding = config[ExtraConfigKey.userDataEncoding] ?? '';
        let text: string;
        if (encoding === 'gzip+base64') text = gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8');
        else if (encoding === 'base64') text = Buffer.from(encoded, 'base64').toString('utf8');
        else throw fail(`has encoding ${JSON.stringify(encoding)}; cloud-init's VMware datasource reads base64 or gzip+base64`);
        return { vm: vm.name, file, text };
      });
  });
}
