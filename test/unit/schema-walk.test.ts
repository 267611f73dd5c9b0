import { DIRECTORIES } from '../../src/core/directories';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { Path } from '../../src/core/diagnostic';
import { SchemaNode, allowedKeys, isObject, itemsOf, schemaAt } from '../../src/core/schema-walk';

const ROOT = join(__dirname, '../../..');
const EXAMPLE = readFileSync(join(ROOT, 'examples/halo-identity.yaml'), 'utf8');

const values = (path: Path) => schemaAt(path)?.enum.map((e) => e.value);

test('enum values: licence, deprovision.users, match.users items', () => {
  assert.deepEqual(values(['agents', 0, 'licence']), ['named', 'concurrent', 'unchanged']);
  assert.deepEqual(values(['deprovision', 'users']), ['deactivate', 'ignore']);
  assert.deepEqual(values(['deprovision', 'orphans']), ['report', 'deactivate']);
  assert.deepEqual(values(['match', 'users', 0]), ['azureoid', 'emailaddress', 'login', 'email2', 'email3']);
  assert.deepEqual(values(['match', 'agents', 3]), ['email', 'ad', 'name']);
  assert.deepEqual(values(['cab', 0, 'members']), ['agents', 'users']);
  assert.deepEqual(values(['version']), [1]);
});

test('enum values carry their descriptions; the default is known', () => {
  const licence = schemaAt(['agents', 0, 'licence'])!;
  assert.equal(licence.enum[0].description, 'A named licence, reserved for this agent.');
  assert.equal(licence.hasDefault, true);
  assert.equal(licence.default, 'unchanged');
  assert.deepEqual(licence.types, ['string']);
  const orphans = schemaAt(['deprovision', 'orphans'])!;
  assert.equal(orphans.default, 'report');
  assert.equal(schemaAt(['protect', 0, 'kind'])!.hasDefault, false);
});

test('unions: a value that may be an enum or a mapping offers both', () => {
  const cloud = schemaAt(['entra', 0, 'cloud'])!;
  assert.deepEqual(cloud.enum.map((e) => e.value), ['global', 'usgov', 'china']);
  assert.deepEqual(cloud.properties.map((p) => p.name), ['loginUrl', 'graphUrl']);
  assert.ok(cloud.types.includes('string') && cloud.types.includes('object'));
  assert.equal(cloud.description?.startsWith('The Microsoft cloud'), true);
  assert.match(schemaAt(['entra', 0, 'cloud', 'graphUrl'])!.description!, /Microsoft Graph address/);
});

test('$ref: the referring property\'s description wins over the definition\'s', () => {
  assert.match(schemaAt(['fields', 'users'])!.description!, /^Halo user field: directory attribute/);
  assert.match(schemaAt(['fields', 'agents'])!.description!, /^Halo agent field/);
  assert.match(schemaAt(['agents', 0, 'from'])!.description!, /^Which directory identities this rule selects/);
  assert.match(schemaAt(['entra', 0])!.description!, /^A connection to one Entra tenant/);
});

test('additionalProperties and items lead to the right place', () => {
  assert.equal(schemaAt(['users', 3, 'from', 'where', 'department'])!.description, 'The value the attribute must equal.');
  const field = schemaAt(['fields', 'users', 'anything'])!;
  assert.deepEqual(field.types.sort(), ['array', 'object', 'string']);
  assert.deepEqual(field.properties.map((p) => p.name), ['from', 'default', 'when']);
  assert.deepEqual(values(['fields', 'agents', 'x', 'when']), ['always', 'create']);
  assert.match(schemaAt(['fields', 'users', 'x', 'from', 0])!.description!, /user attribute as its directory names it/);
  assert.match(schemaAt(['tls', 'caFiles', 0])!.description!, /PEM file/);
});

test('places the schema does not know', () => {
  assert.equal(schemaAt(['nonsense']), undefined);
  assert.equal(schemaAt(['agents', 0, 'team', 'deeper']), undefined);
  assert.equal(schemaAt(['halo', 0]), undefined);
  assert.deepEqual(allowedKeys(['nonsense']), []);
});

test('allowed keys: required first, then schema order, minus those present', () => {
  assert.deepEqual(
    allowedKeys(['agents', 0], ['rule']).map((k) => `${k.name}${k.required ? '*' : ''}`),
    ['from*', 'tenant', 'source', 'team', 'roles', 'licence', 'inactive'],
  );
  assert.deepEqual(
    allowedKeys([], ['version', 'halo', 'entra', 'agents']).map((k) => k.name),
    [...DIRECTORIES.map((d) => d.key).filter((k) => k !== 'entra'), 'tls', 'match', 'users', 'roles', 'cab', 'fields', 'deprovision', 'protect', 'safety'],
  );
  assert.deepEqual(allowedKeys([]).slice(0, 3).map((k) => k.name), ['version', 'halo', 'entra']);
  // site | siteFrom and client | clientFrom are choices: none is required on its own, client comes first.
  const user = allowedKeys(['users', 0]);
  assert.deepEqual(user.filter((k) => k.required).map((k) => k.name), ['rule', 'from']);
  assert.deepEqual(user.slice(2, 5).map((k) => k.name), ['client', 'clientFrom', 'clientDefault']);
  assert.deepEqual(allowedKeys(['entra', 0], ['name', 'tenantId', 'clientId', 'clientSecret']).map((k) => k.name), ['certificate', 'cloud']);
  assert.deepEqual(allowedKeys(['halo', 'rateLimit'], ['requests']).map((k) => k.name), ['windowSeconds']);
  assert.deepEqual(allowedKeys(['entra', 0, 'certificate']).map((k) => k.name), ['thumbprintSha256', 'privateKeyFile', 'privateKey', 'x5c']);
  assert.deepEqual(allowedKeys(['roles', 0], ['group']).map((k) => k.name), ['noManager', 'tenant', 'source', 'agentRoles', 'userRoles', 'inactive']);
});

test('each allowed key comes with what the schema says about its value', () => {
  const licence = allowedKeys(['agents', 0]).find((k) => k.name === 'licence')!;
  assert.deepEqual(licence.info.enum.map((e) => e.value), ['named', 'concurrent', 'unchanged']);
  const from = allowedKeys(['agents', 0]).find((k) => k.name === 'from')!;
  assert.ok(isObject(from.info));
  const entra = allowedKeys([]).find((k) => k.name === 'entra')!;
  assert.ok(entra.info.types.includes('array'));
  assert.ok(isObject(itemsOf(entra.info)!));
  const roles = allowedKeys(['agents', 0]).find((k) => k.name === 'roles')!;
  assert.deepEqual(itemsOf(roles.info)!.types, ['string']);
});

test('every key in the example has a description', () => {
  const data = parse(EXAMPLE) as unknown;
  const missing: string[] = [];
  const walk = (value: unknown, path: Path) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const info = schemaAt([...path, k]);
        if (!info?.description) missing.push([...path, k].join('.'));
        walk(v, [...path, k]);
      }
    }
  };
  walk(data, []);
  assert.deepEqual(missing, []);
});

test('a schema of its own: $ref chains, oneOf branches, escaped pointers', () => {
  const root: SchemaNode = {
    type: 'object',
    properties: {
      a: { $ref: '#/definitions/x~1y' },
      b: { oneOf: [{ type: 'string', enum: ['p', 'q'] }, { type: 'array', items: { $ref: '#/definitions/item' } }] },
    },
    definitions: {
      'x/y': { $ref: '#/definitions/z' },
      z: { description: 'zed', type: 'object', required: ['k'], properties: { k: { type: 'boolean', default: false } } },
      item: { description: 'an item', type: 'integer' },
    },
  };
  const a = schemaAt(['a'], root)!;
  assert.equal(a.description, 'zed');
  assert.deepEqual(allowedKeys(['a'], [], root).map((k) => [k.name, k.required, k.info.default]), [['k', true, false]]);
  assert.deepEqual(schemaAt(['b'], root)!.enum.map((e) => e.value), ['p', 'q']);
  assert.equal(schemaAt(['b', 2], root)!.description, 'an item');
  const loop: SchemaNode = { definitions: { l: { $ref: '#/definitions/l' } }, properties: { a: { $ref: '#/definitions/l' } } };
  assert.ok(schemaAt(['a'], loop), 'a $ref cycle ends');
});
