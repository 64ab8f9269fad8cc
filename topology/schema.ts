import { z } from 'zod';

/**
 * The topology: what the two sites hold and how traffic and replication connect them.
 * Field-level rules live here; rules that relate fields (peers, subnets, VPG members) live in rules.ts.
 * Every object is strict, so a misspelt field is an error, not a silently ignored default.
 */

const SITE_NAME_SOURCE = '[a-z][a-z0-9-]{0,15}';
/** A site name: short and lowercase, as it appears in stack ids, guestinfo values and the guard's config. */
export const SITE_NAME = new RegExp(`^${SITE_NAME_SOURCE}$`);
/** A site name or `none` (the authority's record while the token is at nobody). */
export const SITE_OR_NONE = new RegExp(`^(none|${SITE_NAME_SOURCE})$`);

const siteName = z.string().regex(SITE_NAME, 'must be a short lowercase site name such as rbx or sbg');
const vmName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'must be a VM name of letters, digits, dot, dash or underscore (at most 80)');
const ipv4 = z.string().ip({ version: 'v4', message: 'must be an IPv4 address such as 10.100.0.10' });
const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/, 'must be an IPv4 subnet in CIDR form such as 10.100.0.0/24');
const httpsUrl = z.string().url('must be a URL such as https://vcenter.example.net/sdk');
const hostPort = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535).default(53) }).strict();

/** A secret is never inline: it is read from an environment variable or a file at run time. */
export const secretRef = z
  .object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name').optional(), file: z.string().min(1).optional() })
  .strict()
  .refine((s) => (s.env === undefined) !== (s.file === undefined), 'must set exactly one of env or file');

const tls = { insecure: z.boolean().default(false), caFile: z.string().min(1).optional() };

export const endpointSchema = z
  .object({ url: httpsUrl, username: z.string().min(1), password: secretRef, ...tls })
  .strict();

export const siteSchema = z
  .object({
    name: siteName,
    role: z.enum(['primary', 'standby']),
    vcenter: endpointSchema
      .extend({
        datacenter: z.string().min(1),
        /** Bound of one SOAP call; a slower answer is a timeout (retried, then the step pauses). */
        requestTimeoutSeconds: z.number().int().min(1).max(600).default(30),
      })
      .strict(),
    zerto: endpointSchema
      .extend({
        auth: z.enum(['keycloak', 'session']).default('keycloak'),
        /** Keycloak grant: `client_credentials` takes `username` as the client id and `password` as its secret. */
        grant: z.enum(['password', 'client_credentials']).default('password'),
        /** The site's name in Zerto (`VirtualizationSiteName`) when it differs from the topology's site name. */
        siteName: z.string().min(1, 'must be the site name Zerto shows (VirtualizationSiteName), or be left out').optional(),
      })
      .strict(),
    cluster: z.string().min(1),
    resourcePool: z.string().min(1).optional(),
    datastore: z.string().min(1),
    network: z.string().min(1),
    /** The isolated network a Zerto Failover Test attaches the test VMs to (required by \`pra vpg sync\` to create a VPG). */
    testNetwork: z.string().min(1).optional(),
    /** The VM folder recovered VMs are placed in (required by \`pra vpg sync\` to create a VPG). */
    folder: z.string().min(1).optional(),
    publicIp: ipv4,
    subnet: cidr,
    gateway: ipv4,
  })
  .strict();

export const vmSchema = z
  .object({
    name: vmName,
    site: siteName,
    role: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lowercase role such as docker or mysql'),
    ip: ipv4,
    template: z.string().min(1),
    cpus: z.number().int().min(1).max(768),
    memoryMiB: z.number().int().min(256).max(24 * 1024 * 1024),
    /** The VM on the other site that takes over this one's role. Required when `protected`. */
    peer: vmName.optional(),
    protected: z.boolean().default(true),
    /** How the engine reaches the guest itself (the SSH publisher and probes). */
    guest: z
      .object({
        /** @default the VM's ip */
        sshHost: z.string().min(1).optional(),
        /** @default guard.ssh.port */
        sshPort: z.number().int().min(1).max(65535).optional(),
        /** The guest filesystem root under which /etc/pra lives ('/' on a real guest; the drill's simulated guests live in directories). */
        guardRoot: z.string().startsWith('/', 'must be an absolute path such as /').default('/'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const vpgSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'must be a VPG name of letters, digits, dot, dash or underscore'),
    source: siteName,
    target: siteName,
    vms: z.array(vmName).min(1, 'must list at least one VM'),
    rpoTargetSeconds: z.number().int().min(10).max(86400).default(300),
    journalHours: z.number().int().min(1).max(720).default(24),
    /** Move for a planned failback (clean shutdown and checkpoint); Failover when the source may be gone. */
    recovery: z.enum(['move', 'failover']).default('move'),
  })
  .strict();

const ovhDns = z
  .object({
    provider: z.literal('ovh'),
    endpoint: httpsUrl.default('https://eu.api.ovh.com/1.0'),
    applicationKey: z.string().min(1),
    applicationSecret: secretRef,
    consumerKey: secretRef,
    ...tls,
  })
  .strict();
const route53Dns = z
  .object({
    provider: z.literal('route53'),
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,32}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABC'),
    region: z.string().default('us-east-1'),
    endpoint: httpsUrl.optional(),
    accessKeyId: secretRef.optional(),
    secretAccessKey: secretRef.optional(),
    ...tls,
  })
  .strict();
const rfc2136Dns = z
  .object({
    provider: z.literal('rfc2136'),
    server: hostPort,
    tsigKeyName: z.string().min(1),
    tsigAlgorithm: z.enum(['hmac-sha256', 'hmac-sha512']).default('hmac-sha256'),
    tsigSecret: secretRef,
  })
  .strict();

export const dnsSchema = z.discriminatedUnion('provider', [
  ovhDns.extend(dnsCommon()).strict(),
  route53Dns.extend(dnsCommon()).strict(),
  rfc2136Dns.extend(dnsCommon()).strict(),
]);

function dnsCommon() {
  return {
    zone: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a DNS zone such as example.com'),
    /** Relative name in the zone; `@` for the apex. */
    record: z.string().regex(/^(@|[a-z0-9_-]+(\.[a-z0-9_-]+)*)$/, 'must be a relative record name such as app, or @'),
    ttlSeconds: z.number().int().refine((t) => t === 0 || (t >= 60 && t <= 86400), 'must be 0 or between 60 and 86400 (OVH refuses other values)').default(60),
    /** Authoritative servers to verify a switch on; resolved from the zone's NS records when absent. */
    nameservers: z.array(hostPort).optional(),
  };
}

export const lbSchema = z.discriminatedUnion('provider', [
  z
    .object({
      provider: z.literal('haproxy'),
      /** Runtime API: a unix socket path or host:port. */
      adminSocket: z.string().min(1),
      backend: z.string().min(1),
      servers: z.record(siteName, z.string().min(1)),
    })
    .strict(),
  z
    .object({
      provider: z.literal('ovh-iplb'),
      endpoint: httpsUrl.default('https://eu.api.ovh.com/1.0'),
      serviceName: z.string().min(1),
      farmId: z.number().int().positive(),
      servers: z.record(siteName, z.number().int().positive()),
      applicationKey: z.string().min(1),
      applicationSecret: secretRef,
      consumerKey: secretRef,
      ...tls,
    })
    .strict(),
]);

export const trafficSchema = z
  .object({ dns: dnsSchema.optional(), lb: lbSchema.optional() })
  .strict()
  .refine((t) => t.dns !== undefined || t.lb !== undefined, 'must declare dns, lb or both: the failback has to move traffic');

export const httpCheckSchema = z
  .object({
    name: z.string().min(1),
    /** `{site}` is replaced by the site under test, `{ip}` by the VM's address. */
    url: z.string().min(1),
    vm: vmName.optional(),
    expectStatus: z.number().int().min(100).max(599).default(200),
    /** Fields the JSON body must contain with these values. */
    expectJson: z.record(z.unknown()).optional(),
    /** Text the body must contain. */
    expectText: z.string().optional(),
    ...tls,
  })
  .strict();

export const mysqlCheckSchema = z
  .object({
    name: z.string().min(1),
    /** Role of the database VM; checked on that site's VM of this role. */
    role: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(3306),
    user: z.string().min(1),
    password: secretRef,
    schemas: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const guardSchema = z
  .object({
    /** Where guests read the active-site decision; every listed source must agree (fail closed). */
    sources: z.array(z.enum(['guestinfo', 'file', 'etcd'])).min(1).default(['guestinfo', 'file']),
    etcd: z.object({ endpoints: z.array(z.string().url()).min(1), key: z.string().default('/pra/active-site'), timeoutMs: z.number().int().min(50).max(10000).default(1000) }).strict().optional(),
    /** Exit code of a denied run; 0 keeps cron from mailing every minute. */
    deniedExitCode: z.number().int().min(0).max(255).default(0),
    /** What to do with a cron catch-up replay after a clock step. */
    replayPolicy: z.enum(['allow', 'deny']).default('deny'),
    drainTimeoutSeconds: z.number().int().min(1).max(86400).default(300),
    /** The guard on the guests, run over SSH for drain (relative to nothing: an absolute path). */
    command: z.string().startsWith('/', 'must be an absolute path such as /usr/local/sbin/pra-guard').default('/usr/local/sbin/pra-guard'),
    /** Guest SSH access used to publish /etc/pra/active-site and to drain. */
    ssh: z
      .object({
        user: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(22),
        privateKey: secretRef,
        /** Accepted guest host keys as `ssh-keygen -l -E sha256` prints them. */
        hostKeySha256: z.array(z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a fingerprint such as SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 (ssh-keygen -l -E sha256)')).min(1).optional(),
        /** Accept any host key: only for throw-away test guests, as TLS `insecure`. */
        insecureAcceptAnyHostKey: z.boolean().default(false),
        /** The active-site file the guard reads, under each VM's guest.guardRoot. */
        path: z.string().startsWith('/', 'must be an absolute path such as /etc/pra/active-site').default('/etc/pra/active-site'),
        /**
         * Commands run at once over the one connection the engine keeps to a guest (or to a bastion
         * several guests share): keep it below the guests' sshd MaxSessions (OpenSSH: 10).
         */
        maxSessions: z.number().int().min(1).max(64).default(8),
      })
      .strict()
      .refine((s) => s.hostKeySha256 !== undefined || s.insecureAcceptAnyHostKey, 'must set hostKeySha256 (the guests\' host key fingerprints) or insecureAcceptAnyHostKey: true')
      .optional(),
  })
  .strict();

export const authoritySchema = z.discriminatedUnion('backend', [
  z.object({ backend: z.literal('file'), path: z.string().min(1).default('.pra/authority.json') }).strict(),
  z
    .object({
      backend: z.literal('etcd'),
      endpoints: z.array(z.string().url()).min(1),
      key: z.string().default('/pra/authority'),
      /** Lease TTL of the run lock: how long a dead holder keeps it. */
      runLockTtlSeconds: z.number().int().min(2).max(3600).default(10),
    })
    .strict(),
]);

export const terraformBackendSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local') }).strict(),
  z
    .object({
      type: z.literal('s3'),
      bucket: z.string().min(1),
      keyPrefix: z.string().min(1).default('pra-failback'),
      region: z.string().min(1),
      /** S3-compatible endpoint, e.g. OVHcloud Object Storage https://s3.gra.io.cloud.ovh.net */
      endpoint: httpsUrl,
    })
    .strict(),
]);

export const topologySchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a lowercase application name such as app-a'),
    rtoMinutes: z.number().int().min(1).max(1440).default(30),
    sites: z.array(siteSchema).length(2, 'must declare exactly two sites (primary and standby)'),
    vms: z.array(vmSchema).min(1, 'must declare at least one VM'),
    vpgs: z.array(vpgSchema).default([]),
    traffic: trafficSchema,
    checks: z.object({ http: z.array(httpCheckSchema).default([]), mysql: z.array(mysqlCheckSchema).default([]) }).strict().default({}),
    guard: guardSchema.default({}),
    authority: authoritySchema.default({ backend: 'file' }),
    terraformBackend: terraformBackendSchema.default({ type: 'local' }),
  })
  .strict();

/** The path of every secret field under `schema` (`*` for any array index or record key), read from the schema itself. */
function secretFieldsIn(schema: z.ZodTypeAny, at: readonly string[]): string[][] {
  if (schema === secretRef) return [[...at]];
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return secretFieldsIn(schema.unwrap(), at);
  if (schema instanceof z.ZodDefault) return secretFieldsIn(schema.removeDefault(), at);
  if (schema instanceof z.ZodEffects) return secretFieldsIn(schema.innerType(), at);
  if (schema instanceof z.ZodObject) return Object.entries(schema.shape as z.ZodRawShape).flatMap(([key, field]) => secretFieldsIn(field, [...at, key]));
  if (schema instanceof z.ZodArray) return secretFieldsIn(schema.element, [...at, '*']);
  if (schema instanceof z.ZodRecord) return secretFieldsIn(schema.valueSchema, [...at, '*']);
  if (schema instanceof z.ZodDiscriminatedUnion || schema instanceof z.ZodUnion) return (schema.options as z.ZodTypeAny[]).flatMap((option) => secretFieldsIn(option, at));
  return [];
}

/** The topology's secret fields (`secretRef`), as paths with `*` for any array index: `sites.*.vcenter.password`. */
export const SECRET_FIELDS: readonly (readonly string[])[] = [...new Map(secretFieldsIn(topologySchema, []).map((path) => [path.join('.'), path])).values()];

/** True when `path` is a secret field of the topology or lies inside one: its value must never be echoed. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  return SECRET_FIELDS.some((field) => field.length <= path.length && field.every((part, i) => part === '*' || part === path[i]));
}

export type Topology = z.infer<typeof topologySchema>;
export type Site = z.infer<typeof siteSchema>;
export type Vm = z.infer<typeof vmSchema>;
export type Vpg = z.infer<typeof vpgSchema>;
export type Dns = z.infer<typeof dnsSchema>;
export type Lb = z.infer<typeof lbSchema>;
export type Guard = z.infer<typeof guardSchema>;
export type AuthoritySpec = z.infer<typeof authoritySchema>;
export type SecretRefSpec = z.infer<typeof secretRef>;
export type TopologyInput = z.input<typeof topologySchema>;
