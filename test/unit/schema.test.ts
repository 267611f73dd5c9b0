import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv from 'ajv';
import schema from '../../schemas/halo-identity.schema.json';
import {
  AgentRule,
  CabGrant,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MATCH_AGENTS,
  DEFAULT_MATCH_USERS,
  DEFAULT_PAGE_SIZE,
  DEFAULT_RATE_LIMIT,
  FieldLong,
  HaloConnection,
  Licence,
  Mapping,
  MatchKeyAgent,
  MatchKeyUser,
  ProtectEntry,
  RoleGrant,
  Selector,
  TlsSettings,
  UserRule,
} from '../../src/core/mapping';
import { DIRECTORIES } from '../../src/core/directories';
import { REFERENCE_PATTERN } from '../../src/core/secrets';
import type { EntraCertificate, EntraConnection } from '../../src/sources/entra/settings';
import { withBody } from './mapping-text';
import { parseMapping } from '../../src/core/parse';

type Node = Record<string, unknown>;
const root = schema as unknown as Node;
const defs = root.definitions as Record<string, Node>;

function props(node: Node): Record<string, Node> {
  return node.properties as Record<string, Node>;
}

/** Every subschema with its JSON pointer (property maps and values such as defaults are not schemas). */
function* walk(node: Node, pointer = ''): Generator<[Node, string]> {
  yield [node, pointer];
  for (const key of ['properties', 'definitions'] as const) {
    for (const [k, v] of Object.entries((node[key] as Record<string, Node>) ?? {})) yield* walk(v, `${pointer}/${key}/${k}`);
  }
  for (const key of ['items', 'additionalProperties', 'propertyNames'] as const) {
    if (node[key] && typeof node[key] === 'object') yield* walk(node[key] as Node, `${pointer}/${key}`);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, v] of ((node[key] as Node[]) ?? []).entries()) yield* walk(v, `${pointer}/${key}/${i}`);
  }
}

function strictAjv(warnings: string[]): Ajv {
  const ajv = new Ajv({
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    logger: { log: () => undefined, warn: (m: unknown) => warnings.push(String(m)), error: (m: unknown) => warnings.push(String(m)) },
  });
  ajv.addVocabulary(['errorMessage', 'patternErrorMessage', 'markdownDescription', 'enumDescriptions', 'x-directory', 'x-attribute']);
  return ajv;
}

test('draft-07 with an $id, and it compiles in strict mode without warnings', () => {
  assert.equal(root.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.ok(typeof root.$id === 'string' && root.$id.length > 0);
  const warnings: string[] = [];
  strictAjv(warnings).compile(root);
  assert.deepEqual(warnings, []);
});

test('every property has a description', () => {
  const missing: string[] = [];
  for (const [node, pointer] of walk(root)) {
    for (const [key, prop] of Object.entries((node.properties as Record<string, Node>) ?? {})) {
      if (typeof prop.description !== 'string' || prop.description.length < 10) missing.push(`${pointer}/properties/${key}`);
    }
    const extra = node.additionalProperties;
    if (extra && typeof extra === 'object' && typeof (extra as Node).description !== 'string' && !(extra as Node).$ref) {
      missing.push(`${pointer}/additionalProperties`);
    }
  }
  assert.deepEqual(missing, []);
});

test('objects are closed: additionalProperties is never left open by omission', () => {
  const open: string[] = [];
  for (const [node, pointer] of walk(root)) {
    if (node.properties && node.additionalProperties === undefined) open.push(pointer);
  }
  assert.deepEqual(open, []);
});

test('secrets must be references, with the one reference syntax of secrets.ts', () => {
  const secretProps = [props(props(root).halo).clientSecret, props(defs.entraConnection).clientSecret, props(props(defs.entraConnection).certificate).privateKey];
  for (const p of secretProps) {
    assert.equal(p.pattern, REFERENCE_PATTERN);
    assert.match(String(p.patternErrorMessage), /must be a reference like \$\{env:[A-Z_]+\}/);
  }
  // Every other pattern that accepts a reference embeds exactly that syntax.
  const inner = REFERENCE_PATTERN.slice(1, -1);
  for (const [node] of walk(root)) {
    if (typeof node.pattern === 'string' && node.pattern.includes('env:')) assert.ok(node.pattern.includes(inner), node.pattern);
  }
});

test('defaults agree with the constants the engine uses', () => {
  const halo = props(props(root).halo);
  assert.equal(halo.pageSize.default, DEFAULT_PAGE_SIZE);
  assert.equal(halo.batchSize.default, DEFAULT_BATCH_SIZE);
  assert.deepEqual(halo.rateLimit.default, DEFAULT_RATE_LIMIT);
  assert.equal(props(halo.rateLimit).requests.default, DEFAULT_RATE_LIMIT.requests);
  assert.equal(props(halo.rateLimit).windowSeconds.default, DEFAULT_RATE_LIMIT.windowSeconds);
  const match = props(props(root).match);
  assert.deepEqual(match.users.default, DEFAULT_MATCH_USERS);
  assert.deepEqual(match.agents.default, DEFAULT_MATCH_AGENTS);
});

test('every default and example is valid for its own schema', () => {
  const ajv = strictAjv([]);
  ajv.addSchema(root);
  const bad: string[] = [];
  for (const [node, pointer] of walk(root)) {
    const values = [...(node.default !== undefined ? [node.default] : []), ...((node.examples as unknown[]) ?? [])];
    if (!values.length) continue;
    const validate = ajv.compile({ $ref: `${root.$id}#${pointer}` });
    for (const v of values) if (!validate(v)) bad.push(`${pointer}: ${JSON.stringify(v)}`);
  }
  assert.deepEqual(bad, []);
});

/** Keys of a TS type, listed once here; the compiler rejects a missing or extra key. */
function keysOf<T>(keys: Record<keyof T, true>): string[] {
  return Object.keys(keys).sort();
}

test('object keys mirror the types in mapping.ts', () => {
  const same = (node: Node, keys: string[], name: string) => assert.deepEqual(Object.keys(props(node)).sort(), keys, name);
  // The directory lists (entra:, okta:, …) come from the sources' language.json: one per registered source.
  const lists = Object.entries(props(root)).filter(([, v]) => (v as Node)['x-directory']).map(([k]) => k);
  assert.deepEqual(lists, DIRECTORIES.map((d) => d.key));
  const rest = { properties: Object.fromEntries(Object.entries(props(root)).filter(([k]) => !lists.includes(k))) } as Node;
  same(rest, keysOf<Mapping>({ version: true, halo: true, tls: true, match: true, agents: true, users: true, roles: true, cab: true, fields: true, deprovision: true, protect: true, safety: true }), 'Mapping');
  same(props(root).halo, keysOf<HaloConnection>({ url: true, authUrl: true, tenant: true, clientId: true, clientSecret: true, scope: true, pageSize: true, batchSize: true, rateLimit: true }), 'HaloConnection');
  same(defs.entraConnection, keysOf<EntraConnection>({ name: true, tenantId: true, clientId: true, clientSecret: true, certificate: true, cloud: true }), 'EntraConnection');
  same(props(defs.entraConnection).certificate, keysOf<EntraCertificate>({ thumbprintSha256: true, privateKeyFile: true, privateKey: true, x5c: true }), 'EntraCertificate');
  same(props(root).tls, keysOf<TlsSettings>({ caFiles: true }), 'TlsSettings');
  same(defs.selector, keysOf<Selector>({ group: true, groups: true, where: true, includeGuests: true, all: true }), 'Selector');
  same(defs.agentRule, keysOf<AgentRule>({ rule: true, tenant: true, source: true, from: true, team: true, roles: true, licence: true, inactive: true }), 'AgentRule');
  same(defs.userRule, keysOf<UserRule>({ rule: true, tenant: true, source: true, from: true, client: true, clientFrom: true, clientDefault: true, site: true, siteFrom: true, siteDefault: true, createSites: true, roles: true }), 'UserRule');
  same(defs.roleGrant, keysOf<RoleGrant>({ group: true, noManager: true, tenant: true, source: true, agentRoles: true, userRoles: true, inactive: true }), 'RoleGrant');
  same(defs.cabGrant, keysOf<CabGrant>({ group: true, tenant: true, source: true, cab: true, role: true, members: true }), 'CabGrant');
  same((defs.fieldSpec.anyOf as Node[])[2], keysOf<FieldLong>({ from: true, default: true, when: true }), 'FieldLong');
  same(props(root).protect.items as Node, keysOf<ProtectEntry>({ email: true, haloId: true, entraId: true, kind: true }), 'ProtectEntry');
  same(props(root).deprovision, keysOf<NonNullable<Mapping['deprovision']>>({ users: true, agents: true, orphans: true, agentLicence: true }), 'deprovision');
  same(props(root).safety, keysOf<NonNullable<Mapping['safety']>>({ maxDeactivations: true, maxChanges: true, minEntraUsers: true }), 'safety');
});

test('closed values mirror the unions in mapping.ts', () => {
  const enumOf = (node: Node) => [...(node.enum as string[])].sort();
  assert.deepEqual(enumOf(props(defs.agentRule).licence), keysOf<Record<Licence, unknown>>({ named: true, concurrent: true, unchanged: true }));
  assert.deepEqual(enumOf(props(props(root).match).users.items as Node), keysOf<Record<MatchKeyUser, unknown>>({ azureoid: true, emailaddress: true, login: true, email2: true, email3: true }));
  assert.deepEqual(enumOf(props(props(root).match).agents.items as Node), keysOf<Record<MatchKeyAgent, unknown>>({ email: true, ad: true, name: true }));
  assert.deepEqual(enumOf(props(defs.cabGrant).members), keysOf<Record<NonNullable<CabGrant['members']>, unknown>>({ agents: true, users: true }));
  assert.deepEqual(enumOf(props((defs.fieldSpec.anyOf as Node[])[2]).when), keysOf<Record<NonNullable<FieldLong['when']>, unknown>>({ always: true, create: true }));
  assert.deepEqual(enumOf(props(props(root).protect.items as Node).kind), keysOf<Record<NonNullable<ProtectEntry['kind']>, unknown>>({ agent: true, user: true }));
  for (const enumDescribed of walk(root)) {
    const [node, pointer] = enumDescribed;
    if (node.enumDescriptions) assert.equal((node.enumDescriptions as unknown[]).length, (node.enum as unknown[]).length, pointer);
  }
});

test('connection settings other than secrets may also be references', () => {
  const text = withBody()
    .replace('url: https://contoso.halopsa.com', 'url: ${env:HALO_URL}')
    .replace('tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47', 'tenantId: ${env:ENTRA_TENANT_ID}');
  assert.deepEqual(parseMapping(text).diagnostics, []);
  // A malformed reference is not taken for a literal client id.
  assert.equal(parseMapping(withBody().replace('clientId: ${env:HALO_CLIENT_ID}', 'clientId: ${env:HALO CLIENT}')).diagnostics[0].code, 'invalid-format');
});
