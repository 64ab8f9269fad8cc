import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import document from './schemas/zvm-api.json';

/**
 * The ZVM's published contract for the endpoints this project uses (`schemas/zvm-api.json`, derived from the
 * vendor's 10.0 U6 OpenAPI document: see docs/zerto.md), checked by ajv. The simulator refuses a request body
 * that breaks it, as the ZVM does, and the contract tests check every request and answer against it.
 *
 * The ZVM binds JSON property names case-insensitively (the live API answers PascalCase, the document says
 * camelCase, Zerto's own PowerShell wrapper sends both), so names are compared in lower case on both sides.
 */

type Schema = Record<string, unknown>;

function lowerNames(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lowerNames);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === 'properties' ? Object.fromEntries(Object.entries(value as Schema).map(([name, s]) => [name.toLowerCase(), lowerNames(s)])) : lowerNames(value),
    ]),
  );
}

/** A JSON value with every object key in lower case (how the ZVM matches names). */
export function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
}

interface Endpoint {
  readonly name: string;
  readonly pattern: RegExp;
  readonly request?: ValidateFunction;
  readonly response?: ValidateFunction;
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ $id: 'zvm', definitions: lowerNames(document.definitions) as Schema });

const compile = (schema: unknown): ValidateFunction | undefined => {
  if (!schema) return undefined;
  const text = JSON.stringify(lowerNames(schema)).replaceAll('"#/definitions/', '"zvm#/definitions/');
  return ajv.compile(JSON.parse(text) as Schema);
};

const endpoints: readonly Endpoint[] = Object.entries(document.endpoints as Record<string, { request: unknown; response: unknown }>).map(([name, e]) => {
  const [method, path] = name.split(' ');
  const pattern = new RegExp(`^${method} ${path.replace(/\{[^}]+\}/g, '[^/]+')}$`, 'i');
  return { name, pattern, request: compile(e.request), response: compile(e.response) };
});

/** The documented endpoint a call goes to (`POST /v1/vpgs/{vpgIdentifier}/Move`), if any. */
export function endpointOf(method: string, path: string): Endpoint | undefined {
  const key = `${method.toUpperCase()} ${path.split('?')[0]}`;
  // A literal segment (`/v1/vpgs/statuses`) wins over a parameter (`/v1/vpgs/{vpgIdentifier}`).
  const matches = endpoints.filter((e) => e.pattern.test(key));
  return matches.sort((a, b) => (a.name.match(/\{/g)?.length ?? 0) - (b.name.match(/\{/g)?.length ?? 0))[0];
}

function describe(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const at = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'body';
      if (e.keyword === 'additionalProperties') return `${at === 'body' ? '' : `${at}.`}${String(e.params.additionalProperty)} is not a field of this request`;
      return `${at} ${e.message ?? 'is invalid'}`;
    })
    .filter((line, i, all) => all.indexOf(line) === i)
    .join('; ');
}

/** What is wrong with a request body for this endpoint, or undefined when it conforms (or has no body schema). */
export function requestProblems(method: string, path: string, body: unknown): string | undefined {
  const validate = endpointOf(method, path)?.request;
  if (!validate || body === null || body === undefined) return undefined;
  return validate(lowerKeys(body)) ? undefined : describe(validate.errors);
}

/** What is wrong with an answer for this endpoint, or undefined when it conforms. */
export function responseProblems(method: string, path: string, body: unknown): string | undefined {
  const validate = endpointOf(method, path)?.response;
  if (!validate) return body === null || body === undefined ? undefined : `${method} ${path}: the document declares no answer body`;
  return validate(lowerKeys(body)) ? undefined : describe(validate.errors);
}
