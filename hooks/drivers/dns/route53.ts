import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  waitUntilResourceRecordSetsChanged,
  type Change,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { AuthError, DriverError, NotFoundError, PermanentError, TimeoutError, TransientError } from '../common/errors';
import { httpsAgent, type TlsOptions } from '../common/http';
import type { Secret } from '../common/secret';
import { fqdn, type DnsChanges, type DnsProvider, type DnsRecord, type DnsVerification, type ExpectedRecord } from './index';
import { AuthoritativeCheck, type NameserverCheckOptions } from './verify';

/**
 * Route 53 through the official SDK: one ChangeResourceRecordSets (UPSERT/DELETE) per plan, then the
 * SDK's waiter until the change is INSYNC (every Route 53 server has it), then `verify` asks the zone's
 * nameservers themselves.
 */
export interface Route53Config extends TlsOptions {
  readonly zone: string;
  readonly hostedZoneId: string;
  /** @default us-east-1 (Route 53 is global) */
  readonly region?: string;
  /** Another endpoint than AWS's (tests, private endpoints). */
  readonly endpoint?: string;
  /** Static credentials; the SDK's default chain (env, profile, instance role) when absent. */
  readonly credentials?: { readonly accessKeyId: Secret; readonly secretAccessKey: Secret };
  /** Waiter delays, in seconds. @default { minDelay: 2, maxDelay: 10, maxWait: 300 } */
  readonly wait?: { readonly minDelaySeconds?: number; readonly maxDelaySeconds?: number; readonly maxWaitSeconds?: number };
  readonly verification?: NameserverCheckOptions;
}

export function route53Client(config: Route53Config): Route53Client {
  const creds = config.credentials;
  return new Route53Client({
    region: config.region ?? 'us-east-1',
    endpoint: config.endpoint,
    maxAttempts: 5,
    credentials: creds ? async () => ({ accessKeyId: creds.accessKeyId.reveal(), secretAccessKey: creds.secretAccessKey.reveal() }) : undefined,
    requestHandler: config.caFile || config.insecure ? { httpsAgent: httpsAgent(config) } : undefined,
  });
}

export class Route53Dns implements DnsProvider {
  readonly system = 'dns route53';
  readonly zone: string;
  private readonly check: AuthoritativeCheck;

  constructor(
    private readonly config: Route53Config,
    private readonly deps: { readonly client: Route53Client; readonly log?: (line: string) => void },
  ) {
    this.zone = config.zone;
    this.check = new AuthoritativeCheck(this.system, config.zone, config.verification);
  }

  async records(name: string): Promise<DnsRecord[]> {
    const set = await this.currentSet(name);
    return set ? [{ name, type: 'A', ttlSeconds: set.TTL ?? 0, targets: (set.ResourceRecords ?? []).map((r) => r.Value ?? '') }] : [];
  }

  async applyChanges(changes: DnsChanges): Promise<void> {
    const batch: Change[] = (changes.upsert ?? []).map((r) => ({
      Action: 'UPSERT',
      ResourceRecordSet: { Name: `${fqdn(r.name, this.zone)}.`, Type: 'A', TTL: r.ttlSeconds, ResourceRecords: r.targets.map((Value) => ({ Value })) },
    }));
    // Route 53 deletes only an exact match of the current set: read it first; an absent one is already deleted.
    for (const r of changes.delete ?? []) {
      const current = await this.currentSet(r.name);
      if (current) batch.push({ Action: 'DELETE', ResourceRecordSet: current });
    }
    if (!batch.length) return;
    const submitted = await this.sdk('ChangeResourceRecordSets', () =>
      this.deps.client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: this.config.hostedZoneId, ChangeBatch: { Changes: batch, Comment: 'pra-failback' } })),
    );
    const id = submitted.ChangeInfo?.Id ?? '';
    this.deps.log?.(`${this.system}: ${this.zone}: change ${id} ${submitted.ChangeInfo?.Status}`);
    const wait = this.config.wait ?? {};
    const result = await this.sdk('GetChange (waiter)', () =>
      waitUntilResourceRecordSetsChanged(
        { client: this.deps.client, minDelay: wait.minDelaySeconds ?? 2, maxDelay: wait.maxDelaySeconds ?? 10, maxWaitTime: wait.maxWaitSeconds ?? 300 },
        { Id: id },
      ),
    );
    this.deps.log?.(`${this.system}: ${this.zone}: change ${id} ${result.reason?.ChangeInfo?.Status ?? result.state}`);
  }

  verify(expected: ExpectedRecord): Promise<DnsVerification> {
    return this.check.verify(expected);
  }

  private async currentSet(name: string): Promise<ResourceRecordSet | undefined> {
    const absolute = `${fqdn(name, this.zone)}.`;
    const out = await this.sdk('ListResourceRecordSets', () =>
      this.deps.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: this.config.hostedZoneId, StartRecordName: absolute, StartRecordType: 'A', MaxItems: 1 })),
    );
    return out.ResourceRecordSets?.find((s) => s.Name?.toLowerCase() === absolute.toLowerCase() && s.Type === 'A');
  }

  /** Runs an SDK call; its errors become typed driver errors (the SDK already retried throttling and 5xx). */
  private async sdk<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof DriverError) throw e;
      const err = e as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string };
      const status = err.$metadata?.httpStatusCode;
      const detail = `${what} on ${this.config.hostedZoneId}: ${err.name}: ${err.message}`;
      if (err.name === 'TimeoutError') throw new TimeoutError(this.system, `${detail}; the change may still become INSYNC`);
      if (status === 401 || status === 403 || /InvalidClientTokenId|SignatureDoesNotMatch|AccessDenied|UnrecognizedClient|CredentialsProviderError/.test(err.name)) {
        throw new AuthError(this.system, `${detail}; check the access key and its Route 53 permissions`);
      }
      if (/NoSuchHostedZone|NoSuchChange/.test(err.name)) throw new NotFoundError(this.system, detail);
      if (err.$fault === 'server' || /Throttling|PriorRequestNotComplete/.test(err.name)) throw new TransientError(this.system, detail);
      throw new PermanentError(this.system, detail);
    }
  }
}
