import { PermanentError } from '../common/errors';
import { faultError, faultType, moRefXml, readMoRef, textXml, type MoRef } from './soap';
import type { VsphereSession } from './session';
import type { XmlElement } from './xml';

/** The properties read for one object: property path -> its `<val>` element. */
export type PropertyValues = ReadonlyMap<string, XmlElement>;

/** One object's properties, keyed by the moref value. */
export interface RetrievedObject {
  readonly ref: MoRef;
  readonly values: PropertyValues;
}

/**
 * Reads `paths` of the given objects of one type in a single RetrievePropertiesEx (following
 * continuation tokens). A property the server reports missing with a fault raises that fault,
 * except an unset property, which is simply absent from `values`.
 */
export async function retrieveProperties(session: VsphereSession, type: string, objects: readonly MoRef[], paths: readonly string[]): Promise<RetrievedObject[]> {
  if (!objects.length) return [];
  const objectSet = objects.map((o) => `<objectSet>${moRefXml('obj', o)}${textXml('skip', false)}</objectSet>`).join('');
  return retrieve(session, propSet(type, paths) + objectSet);
}

/**
 * Reads `paths` of every object of `type` under `container` (recursively), through a temporary
 * ContainerView. Used to find VMs by name when they are not directly in the datacenter's vm folder.
 */
export async function retrieveFromContainer(session: VsphereSession, container: MoRef, type: string, paths: readonly string[]): Promise<RetrievedObject[]> {
  const { viewManager } = await session.serviceContent();
  const created = await session.call('CreateContainerView', viewManager, moRefXml('container', container) + textXml('type', type) + textXml('recursive', true));
  const view = readMoRef(requireChild(session.system, created, 'returnval'));
  try {
    const traversal =
      `<selectSet xsi:type="TraversalSpec">${textXml('name', 'view')}${textXml('type', 'ContainerView')}${textXml('path', 'view')}${textXml('skip', false)}</selectSet>`;
    const objectSet = `<objectSet>${moRefXml('obj', view)}${textXml('skip', true)}${traversal}</objectSet>`;
    return await retrieve(session, propSet(type, paths) + objectSet);
  } finally {
    await session.call('DestroyView', view);
  }
}

function propSet(type: string, paths: readonly string[]): string {
  return `<propSet>${textXml('type', type)}${paths.map((p) => textXml('pathSet', p)).join('')}</propSet>`;
}

async function retrieve(session: VsphereSession, specContent: string): Promise<RetrievedObject[]> {
  const { propertyCollector } = await session.serviceContent();
  const results: RetrievedObject[] = [];
  let response = await session.call('RetrievePropertiesEx', propertyCollector, `<specSet>${specContent}</specSet><options/>`);
  for (;;) {
    const result = response.child('returnval');
    if (!result) return results; // nothing matched: vCenter answers with an empty response
    for (const object of result.all('objects')) results.push(readObject(session.system, object));
    const token = result.childText('token');
    if (!token) return results;
    response = await session.call('ContinueRetrievePropertiesEx', propertyCollector, textXml('token', token));
  }
}

function readObject(system: string, object: XmlElement): RetrievedObject {
  const values = new Map<string, XmlElement>();
  for (const prop of object.all('propSet')) {
    const name = prop.childText('name');
    const val = prop.child('val');
    if (name !== undefined && val) values.set(name, val);
  }
  for (const missing of object.all('missingSet')) {
    const fault = missing.child('fault')?.child('fault');
    if (fault) throw faultError(system, `reading ${missing.childText('path') ?? 'a property'}`, { type: faultType(fault), message: missing.child('fault')?.childText('localizedMessage') ?? '' });
  }
  return { ref: readMoRef(requireChild(system, object, 'obj')), values };
}

function requireChild(system: string, element: XmlElement, name: string): XmlElement {
  const child = element.child(name);
  if (!child) throw new PermanentError(system, `unexpected vim25 response: <${element.local}> has no <${name}>`);
  return child;
}
