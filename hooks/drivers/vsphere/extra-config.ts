import { PermanentError } from '../common/errors';
import { retrieveProperties } from './properties';
import { escapeXml } from './xml';
import type { MoRef } from './soap';
import type { VsphereSession } from './session';
import { runTask, type TaskWaitOptions } from './tasks';

/** A VM's advanced settings (`config.extraConfig`), key -> value. */
export type ExtraConfig = Readonly<Record<string, string>>;

/**
 * Reads a VM's extraConfig. When a key appears several times the LAST entry wins (vcsim 0.24.2
 * appends on every reconfigure instead of replacing), and a key whose last value is empty is
 * absent (vCenter deletes a key written empty; vcsim keeps an empty entry).
 */
export async function readExtraConfig(session: VsphereSession, vm: MoRef): Promise<ExtraConfig> {
  const [object] = await retrieveProperties(session, 'VirtualMachine', [vm], ['config.extraConfig']);
  if (!object) throw new PermanentError(session.system, `VM ${vm.value} returned no config`);
  const latest = new Map<string, string>();
  for (const option of object.values.get('config.extraConfig')?.all('OptionValue') ?? []) {
    const key = option.childText('key');
    if (key !== undefined) latest.set(key, option.childText('value') ?? '');
  }
  return Object.fromEntries([...latest].filter(([, value]) => value !== ''));
}

/**
 * Writes extraConfig keys with one ReconfigVM_Task; an empty value deletes the key. Values are sent
 * typed `xsd:string` (vCenter rejects untyped values). Keys not named are left alone.
 */
export async function writeExtraConfig(session: VsphereSession, vm: MoRef, entries: ExtraConfig, options: TaskWaitOptions = {}): Promise<void> {
  const keys = Object.keys(entries);
  if (!keys.length) return;
  const optionValues = keys
    .map((key) => `<extraConfig><key>${escapeXml(key)}</key><value xsi:type="xsd:string">${escapeXml(entries[key])}</value></extraConfig>`)
    .join('');
  await runTask(session, 'ReconfigVM_Task', vm, `<spec>${optionValues}</spec>`, options);
}
