#!/usr/bin/env node
// The "Mapping file reference" in Markdown, generated from schemas/halo-identity.schema.json so
// that the README cannot drift from the schema.
//   node scripts/schema-doc.mjs                  print the section to stdout
//   node scripts/schema-doc.mjs --write README.md  replace the section between the markers
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const START_MARKER = '<!-- mapping-reference:start -->';
export const END_MARKER = '<!-- mapping-reference:end -->';

const schemaFile = fileURLToPath(new URL('../schemas/halo-identity.schema.json', import.meta.url));
const SECRET_PATTERN = '^\\$\\{(?:env:[A-Za-z_][A-Za-z0-9_]*|secret:[A-Za-z0-9_][A-Za-z0-9_.-]*)\\}$';

export function generate(schema) {
  const resolve = (node) => {
    let cur = node;
    for (let i = 0; i < 10 && cur && typeof cur.$ref === 'string'; i++) {
      const parts = cur.$ref.slice(cur.$ref.indexOf('#') + 1).split('/').slice(1);
      const target = parts.reduce((n, p) => n?.[p.replace(/~1/g, '/').replace(/~0/g, '~')], schema);
      // Sibling keywords (description, default, examples) describe this use of the definition.
      const { $ref, ...own } = cur;
      void $ref;
      cur = { ...target, ...own };
    }
    return cur ?? {};
  };
  const identity = (node) => {
    let cur = node;
    for (let i = 0; i < 10 && cur && typeof cur.$ref === 'string'; i++) {
      const parts = cur.$ref.slice(cur.$ref.indexOf('#') + 1).split('/').slice(1);
      cur = parts.reduce((n, p) => n?.[p], schema);
    }
    return cur;
  };

  const sections = [];
  const documented = new Map(); // schema object → section title
  const code = (s) => `\`${s}\``;
  const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  const value = (v) => {
    if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
    if (v && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${value(x)}`).join(', ')} }`;
    return String(v);
  };

  /** An object section worth its own table: the node itself, a list's items, or a union's object branch. */
  const objectOf = (node) => {
    const s = resolve(node);
    if (s.properties) return { schema: s, suffix: '', id: identity(node) };
    if (s.type === 'array' && s.items) {
      const items = resolve(s.items);
      if (items.properties) return { schema: items, suffix: '[]', id: identity(s.items) };
    }
    for (const b of s.anyOf ?? s.oneOf ?? []) {
      const r = resolve(b);
      if (r.properties) return { schema: r, suffix: '', id: b };
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      const inner = objectOf(s.additionalProperties);
      if (inner) return { ...inner, suffix: `.<field>${inner.suffix}` };
    }
    return undefined;
  };

  const typeOf = (node) => {
    const s = resolve(node);
    if (s.pattern === SECRET_PATTERN) return 'secret reference';
    if ('const' in s) return typeof s.const === 'number' ? 'integer' : 'text';
    if (s.type === undefined && (s.anyOf || s.oneOf)) return [...new Set((s.anyOf ?? s.oneOf).map(typeOf))].join(' or ');
    const t = Array.isArray(s.type) ? s.type : [s.type];
    if (t.length > 1) return 'value';
    switch (t[0]) {
      case 'string':
        return 'text';
      case 'integer':
        return 'integer';
      case 'number':
        return 'number';
      case 'boolean':
        return 'true / false';
      case 'array':
        return `list of ${typeOf(s.items ?? {})}`;
      case 'object':
        if (s.additionalProperties && typeof s.additionalProperties === 'object') return `map of ${typeOf(s.additionalProperties)}`;
        return 'mapping';
      default:
        return 'value';
    }
  };

  const allowed = (node) => {
    const s = resolve(node);
    if ('const' in s) return code(s.const);
    if (Array.isArray(s.enum)) return s.enum.map(code).join(', ');
    if (s.type === undefined && (s.anyOf || s.oneOf)) return (s.anyOf ?? s.oneOf).map(allowed).filter(Boolean).join('; ');
    if (s.type === 'array' && s.items) return allowed(s.items);
    if (s.minimum !== undefined && s.maximum !== undefined) return `${s.minimum} to ${s.maximum}`;
    if (s.minimum !== undefined) return `${s.minimum} or more`;
    if (s.pattern === SECRET_PATTERN) return `${code('${env:NAME}')}, ${code('${secret:NAME}')}`;
    if (s.type === 'string' && s.pattern === '^[0-9]+(?:\\.[0-9]+)?%$') return 'a percentage such as `5%`';
    return '';
  };

  const table = (title, obj, path) => {
    const required = new Set(obj.required ?? []);
    const rows = ['| Key | Type | Default | Allowed values | Description |', '| --- | --- | --- | --- | --- |'];
    const children = [];
    for (const [key, prop] of Object.entries(obj.properties ?? {})) {
      const s = resolve(prop);
      const sub = objectOf(prop);
      let type = typeOf(prop);
      if (sub) {
        const childTitle = `${path}${path ? '.' : ''}${key}${sub.suffix}`;
        const seen = documented.get(sub.id);
        if (seen) type += ` (see ${code(seen)})`;
        else {
          documented.set(sub.id, childTitle);
          children.push([childTitle, sub.schema]);
        }
      }
      const dflt = s.default !== undefined ? code(value(s.default)) : required.has(key) ? 'required' : '';
      rows.push(`| ${code(key)} | ${cell(type)} | ${cell(dflt)} | ${cell(allowed(prop))} | ${cell(s.description ?? '')} |`);
    }
    const intro = obj.description ? `${obj.description}\n\n` : '';
    sections.push(`### ${title ? code(title) : 'Top level'}\n\n${intro}${rows.join('\n')}\n`);
    for (const [childTitle, child] of children) table(childTitle, child, childTitle);
  };

  table('', schema, '');
  return [
    '## Mapping file reference',
    '',
    `Every key of \`halo-identity.yaml\`, generated from \`schemas/halo-identity.schema.json\` (run \`npm run docs:mapping\` after changing the schema). Secrets are always references: \`\${env:NAME}\` reads an environment variable, \`\${secret:NAME}\` the editor's secret storage.`,
    '',
    sections.join('\n'),
  ].join('\n');
}

export function replaceSection(text, generated) {
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`markers ${START_MARKER} and ${END_MARKER} not found`);
  return `${text.slice(0, start + START_MARKER.length)}\n${generated}${text.slice(end)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const generated = generate(JSON.parse(readFileSync(schemaFile, 'utf8')));
  const i = process.argv.indexOf('--write');
  if (i >= 0) {
    const target = process.argv[i + 1] ?? 'README.md';
    writeFileSync(target, replaceSection(readFileSync(target, 'utf8'), generated));
  } else process.stdout.write(generated);
}
