import type { Site } from '../../../topology';
import type { Secret } from '../common/secret';
import { resolveSecret } from '../common/secret';

/** One ZVM's API endpoint and how to log in to it. */
export interface ZertoEndpoint {
  /** Base URL, e.g. `https://zerto.pcc-203-0-113-10.ovh.com` (ZVMA) or `https://zvm:9669` (Windows ZVM). */
  readonly url: string;
  /** `keycloak`: ZVMA 10.x OpenID Connect; `session`: Windows ZVM `/v1/session/add`. */
  readonly auth: 'keycloak' | 'session';
  /** The user, or with `grant: client_credentials` the Keycloak client id. */
  readonly username: string;
  /** The password, or the Keycloak client secret. */
  readonly password: Secret;
  /** Keycloak grant. @default 'password' (through the public client `zerto-client`) */
  readonly grant?: 'password' | 'client_credentials';
  readonly insecure?: boolean;
  readonly caFile?: string;
  /** Bound of one HTTP call. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** A Windows ZVM ends a session after 30 idle minutes; the driver logs in again before that. @default 1800000 */
  readonly sessionIdleMs?: number;
}

/** The endpoint of `site`'s ZVM as the topology declares it (its password resolved from env or file). */
export function zertoEndpointOf(site: Site, env: NodeJS.ProcessEnv = process.env): ZertoEndpoint {
  return {
    url: site.zerto.url,
    auth: site.zerto.auth,
    grant: site.zerto.grant,
    username: site.zerto.username,
    password: resolveSecret(site.zerto.password, `zerto ${site.name} password`, env),
    insecure: site.zerto.insecure,
    caFile: site.zerto.caFile,
  };
}

/** The name Zerto gives `site` (`VirtualizationSiteName`): the topology's `zerto.siteName`, else the site's own name. */
export function zertoSiteName(site: Site): string {
  return site.zerto.siteName ?? site.name;
}
