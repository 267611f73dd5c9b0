#!/usr/bin/env node
// The mapping language's directory part, assembled from each source's own description
// (src/sources/<name>/language.json): a source adds itself here without anyone editing core.
//   schemas/halo-identity.schema.json  one list key per source (entra:, okta:, …) and its connection
//                                      definition; at least one list is required
//   src/core/directories.json          per source: label, how Halo links its users, whether groups
//                                      nest, and the attribute catalogue validation and the editor use
// Usage: node scripts/build-language.mjs [--check]   (--check: exit 1 when a file is out of date)
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const sourcesDir = join(root, 'src/sources');

const sources = readdirSync(sourcesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(sourcesDir, d.name, 'language.json')))
  .map((d) => ({ dir: join(sourcesDir, d.name), ...JSON.parse(readFileSync(join(sourcesDir, d.name, 'language.json'), 'utf8')) }))
  .sort((a, b) => a.order - b.order || (a.key < b.key ? -1 : 1));

/** JSON with two-space indents and lists of plain values on one line, as the schema is written. */
function format(value, indent = '') {
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + format(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

const directories = sources.map((s) => {
  const { attributesFile, ...catalogue } = s.catalogue;
  const attributes = attributesFile ? JSON.parse(readFileSync(join(s.dir, attributesFile), 'utf8')) : {};
  return {
    key: s.key,
    label: s.label,
    labelWithArticle: s.labelWithArticle ?? `a ${s.label}`,
    links: s.links ?? null,
    nests: s.nests,
    catalogue: { ...catalogue, properties: attributes.properties ?? catalogue.properties ?? {}, relationships: attributes.relationships ?? catalogue.relationships ?? [], singleOnly: attributes.singleUserOnly ?? catalogue.singleOnly ?? [] },
  };
});

const schemaPath = join(root, 'schemas/halo-identity.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const keys = sources.map((s) => s.key);
const properties = {};
for (const [k, v] of Object.entries(schema.properties)) {
  if (keys.includes(k) || v['x-directory']) continue;
  properties[k] = v;
  if (k === 'halo') {
    for (const s of sources) {
      properties[s.key] = { description: s.list, 'x-directory': true, type: 'array', minItems: 1, items: { $ref: `#/definitions/${s.key}Connection` } };
    }
  }
}
schema.properties = properties;
schema.required = ['version', 'halo'];
schema.anyOf = keys.map((k) => ({ required: [k] }));
for (const [k, v] of Object.entries(schema.definitions)) if (v['x-directory']) delete schema.definitions[k];
const definitions = {};
for (const [k, v] of Object.entries(schema.definitions)) {
  definitions[k] = v;
  if (k === 'attribute') for (const s of sources) definitions[`${s.key}Connection`] = { 'x-directory': true, ...s.connection };
}
schema.definitions = definitions;

// For an editor that knows only the schema (Red Hat YAML): a file that reads one directory with a
// fixed catalogue gets that directory's attribute names checked, at every place an attribute goes.
// Marked x-attribute: Halo Identity's own validation checks these names itself (attribute-checks.ts).
const closed = directories.filter((d) => !d.catalogue.open);
schema.allOf = closed.map((d) => {
  const others = keys.filter((k) => k !== d.key);
  const attr = { $ref: `#/definitions/${d.key}Attribute` };
  // Each check applies only to a value of the right type (`then` repeats it, as ajv's strict mode wants):
  // a value of another type has its own error already.
  const when = (type, node) => ({ if: { type }, then: { type, ...node } });
  const whenString = (node) => ({ if: { type: 'string' }, then: node });
  const fieldSource = { ...whenString(attr), else: when('array', { items: whenString(attr) }) };
  const field = { ...fieldSource, else: { ...fieldSource.else, else: when('object', { properties: { from: fieldSource } }) } };
  const object = (properties) => when('object', { properties });
  const list = (items) => when('array', { items });
  const from = object({ where: when('object', { propertyNames: attr }) });
  return {
    if: { required: [d.key], ...(others.length ? { not: { anyOf: others.map((k) => ({ required: [k] })) } } : {}) },
    then: {
      properties: {
        agents: list(object({ from })),
        users: list(object({ from, siteFrom: whenString(attr), clientFrom: whenString(attr) })),
        fields: object({ users: when('object', { additionalProperties: field }), agents: when('object', { additionalProperties: field }) }),
      },
    },
  };
});
for (const d of closed) {
  schema.definitions[`${d.key}Attribute`] = {
    'x-directory': true,
    'x-attribute': true,
    description: `${d.labelWithArticle[0].toUpperCase()}${d.labelWithArticle.slice(1)} user attribute as ${d.catalogue.reference} names it.`,
    type: 'string',
    pattern: attributePattern(d.catalogue),
    patternErrorMessage: `must be an attribute ${d.label} users have in ${d.catalogue.reference}, such as ${d.catalogue.examples}.`,
  };
}

/** Every name the catalogue lists: plain, indexed lists, values of objects, the manager's, and extensions. */
function attributePattern(c) {
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const plain = [];
  const indexed = [];
  const nested = [];
  for (const [name, p] of Object.entries(c.properties)) {
    if (c.singleOnly.includes(name)) continue;
    if (p.properties) {
      for (const [sub, q] of Object.entries(p.properties)) if (!q.properties && !q.collection && q.type.startsWith('Edm.')) nested.push(`${esc(name)}\\.${esc(sub)}`);
    } else if (p.collection && p.type.startsWith('Edm.')) indexed.push(esc(name));
    else if (!p.collection && p.type.startsWith('Edm.')) plain.push(esc(name));
  }
  const alternatives = [...plain, ...nested];
  if (indexed.length) alternatives.push(`(?:${indexed.join('|')})(?:\\[[0-9]+\\])?`);
  alternatives.push(`manager\\.(?:agent|${plain.join('|')})`);
  if (c.extension) alternatives.push(c.extension.replace(/^\^|\$$/g, ''));
  return `^(?:${alternatives.join('|')})$`;
}

const outputs = [
  [schemaPath, format(schema) + '\n'],
  [join(root, 'src/core/directories.json'), JSON.stringify({ description: 'Generated by scripts/build-language.mjs from src/sources/*/language.json: do not edit.', directories }, null, 1) + '\n'],
];
let stale = 0;
for (const [file, text] of outputs) {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (before === text) continue;
  stale++;
  if (check) console.error(`${file} is out of date: run node scripts/build-language.mjs`);
  else writeFileSync(file, text);
}
if (check && stale) process.exit(1);
if (!check) console.log(`${sources.length} directory sources: ${keys.join(', ')}`);
