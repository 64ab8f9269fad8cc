import type { SecretRefSpec } from '../../../topology/schema';
import { HttpClient } from '../common/http';
import { resolveSecret } from '../common/secret';
import { OvhClient } from './client';

/** The OVHcloud API fields a topology block (`traffic.dns` with ovh, `traffic.lb` with ovh-iplb) declares. */
export interface OvhApiSpec {
  readonly endpoint: string;
  readonly applicationKey: string;
  readonly applicationSecret: SecretRefSpec;
  readonly consumerKey: SecretRefSpec;
  readonly insecure: boolean;
  readonly caFile?: string;
}

/**
 * A signed OVHcloud API client for a topology block, its secrets read now from env or file.
 * `path` names the block in errors (`traffic.lb`), `system` in the driver's messages (`lb ovh-iplb`).
 */
export function ovhClientFromTopology(system: string, path: string, spec: OvhApiSpec, env: NodeJS.ProcessEnv = process.env): OvhClient {
  const http = new HttpClient(system, spec.endpoint, { insecure: spec.insecure, caFile: spec.caFile });
  const credentials = {
    endpoint: spec.endpoint,
    applicationKey: spec.applicationKey,
    applicationSecret: resolveSecret(spec.applicationSecret, `${path}.applicationSecret`, env),
    consumerKey: resolveSecret(spec.consumerKey, `${path}.consumerKey`, env),
  };
  return new OvhClient(system, credentials, { http });
}
