import { AuthError, NotFoundError, PermanentError, TransientError, type DriverError } from '../common/errors';
import type { HttpClient } from '../common/http';
import { escapeXml, NS, parseXml, XmlSyntaxError, type XmlElement } from './xml';

/**
 * The vim25 SOAP transport: builds envelopes, posts them with the endpoint's HTTP client, carries the
 * session cookie, and turns SOAP faults into typed driver errors. It knows nothing of login policy.
 */

/** A managed object reference, e.g. `{ type: 'VirtualMachine', value: 'vm-42' }`. */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

/**
 * The API version we speak. 6.7 is understood by vCenter 6.7, 7.0 and 8.0 (OVHcloud runs 7/8)
 * and by vcsim; everything the driver calls exists since vSphere 5.
 */
const SOAP_ACTION = 'urn:vim25/6.7';
const SESSION_COOKIE = 'vmware_soap_session';

/** Faults that mean "the object is gone" (a moref cached before a VM was unregistered, for example). */
const NOT_FOUND_FAULTS = new Set(['ManagedObjectNotFound', 'NotFound']);
/** Faults that heal by themselves: the server was busy or lost a host connection for a moment. */
const TRANSIENT_FAULTS = new Set(['RequestCanceled', 'HostCommunication', 'TaskInProgress', 'ConcurrentAccess']);
const AUTH_FAULTS = new Set(['NotAuthenticated', 'InvalidLogin', 'NoPermission']);

/** A fault reported by the server, kept on the error as `fault` so callers can branch on its type. */
export interface SoapFault {
  readonly type: string;
  readonly message: string;
}

export type FaultyError = DriverError & { fault?: SoapFault };

export function faultError(system: string, what: string, fault: SoapFault): FaultyError {
  const message = `${what} failed: ${fault.type}${fault.message ? ` (${fault.message})` : ''}`;
  const ErrorClass = AUTH_FAULTS.has(fault.type)
    ? AuthError
    : NOT_FOUND_FAULTS.has(fault.type)
      ? NotFoundError
      : TRANSIENT_FAULTS.has(fault.type)
        ? TransientError
        : PermanentError;
  const error: FaultyError = new ErrorClass(system, message);
  error.fault = fault;
  return error;
}

/** The fault type of a vim25 `LocalizedMethodFault`-shaped element (`<fault xsi:type="X">` or `<XFault>`). */
export function faultType(element: XmlElement): string {
  return element.xsiType?.local ?? element.local.replace(/Fault$/, '');
}

export function moRefXml(tag: string, ref: MoRef): string {
  return `<${tag} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${tag}>`;
}

export function textXml(tag: string, value: string | number | boolean): string {
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

export function readMoRef(element: XmlElement): MoRef {
  return { type: element.attributes.get('type') ?? '', value: element.text.trim() };
}

export class SoapTransport {
  private cookie: string | undefined;

  constructor(
    readonly system: string,
    private readonly http: HttpClient,
    private readonly sdkUrl: string,
    private readonly timeoutMs: number,
  ) {}

  get hasSession(): boolean {
    return this.cookie !== undefined;
  }

  forgetSession(): void {
    this.cookie = undefined;
  }

  /**
   * Calls `method` on `target` with pre-built argument XML and returns the `<methodResponse>` element.
   * Throws AuthError (NotAuthenticated, InvalidLogin), NotFoundError, TransientError (5xx without a
   * SOAP fault, network, timeout, busy faults) or PermanentError.
   */
  async invoke(method: string, target: MoRef, args = ''): Promise<XmlElement> {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>` +
      `<soapenv:Envelope xmlns:soapenv="${NS.soapenv}" xmlns:xsd="${NS.xsd}" xmlns:xsi="${NS.xsi}">` +
      `<soapenv:Body><${method} xmlns="${NS.vim25}">${moRefXml('_this', target)}${args}</${method}></soapenv:Body></soapenv:Envelope>`;
    const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: SOAP_ACTION };
    if (this.cookie) headers.Cookie = this.cookie;
    const res = await this.http.request({ method: 'POST', url: this.sdkUrl, headers, body, timeoutMs: this.timeoutMs });

    const setCookie = res.headers['set-cookie']?.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (setCookie) this.cookie = setCookie.split(';')[0];

    const envelope = this.parseEnvelope(method, res.status, res.body);
    const soapBody = envelope?.child('Body', NS.soapenv);
    const fault = soapBody?.child('Fault', NS.soapenv);
    if (fault) throw faultError(this.system, method, readFault(fault));
    if (res.status !== 200 || !soapBody) throw this.httpError(method, res.status);
    const response = soapBody.child(`${method}Response`, NS.vim25);
    if (!response) throw new PermanentError(this.system, `${method}: the response has no ${method}Response element`);
    rejectUnauthenticatedProperties(this.system, method, response);
    return response;
  }

  private parseEnvelope(method: string, status: number, text: string): XmlElement | undefined {
    const looksLikeXml = text.trimStart().startsWith('<');
    if (!looksLikeXml) return undefined;
    try {
      const root = parseXml(text);
      return root.ns === NS.soapenv && root.local === 'Envelope' ? root : undefined;
    } catch (error) {
      if (!(error instanceof XmlSyntaxError)) throw error;
      // A truncated body on a 5xx is a proxy or an overloaded server; on a 200 it is a broken peer.
      if (status >= 500) return undefined;
      throw new PermanentError(this.system, `${method}: unreadable SOAP response (${error.message})`);
    }
  }

  private httpError(method: string, status: number): DriverError {
    const what = `${method} returned HTTP ${status}`;
    if (status >= 500 || status === 429) return new TransientError(this.system, what);
    if (status === 401 || status === 403) return new AuthError(this.system, what);
    if (status === 404) return new PermanentError(this.system, `${what}: is the URL the SDK endpoint (https://HOST/sdk)?`);
    return new PermanentError(this.system, what);
  }
}

function readFault(fault: XmlElement): SoapFault {
  const detail = fault.child('detail')?.children[0];
  const message = fault.childText('faultstring')?.trim() ?? '';
  return { type: detail ? faultType(detail) : 'SoapFault', message };
}

/**
 * vcsim (and vCenter for some objects) answers RetrievePropertiesEx without a valid session with
 * a result whose properties are all "missing" with a NotAuthenticated fault, instead of a SOAP fault.
 * Treat it as the fault it means, so the session layer logs in again.
 */
function rejectUnauthenticatedProperties(system: string, method: string, response: XmlElement): void {
  if (!method.includes('RetrieveProperties')) return;
  for (const object of response.child('returnval')?.all('objects') ?? []) {
    for (const missing of object.all('missingSet')) {
      const fault = missing.child('fault')?.child('fault');
      if (fault && faultType(fault) === 'NotAuthenticated') {
        throw faultError(system, method, { type: 'NotAuthenticated', message: 'the session is not authenticated' });
      }
    }
  }
}
