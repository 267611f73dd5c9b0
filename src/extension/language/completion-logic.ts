// Completion for mapping files, without vscode: keys the schema allows where the cursor is,
// closed values (enums, booleans) and names read from the directories and Halo. Offsets in, plain items out;
// completion.ts turns them into vscode.CompletionItems.
import { HALO_AGENT_FIELDS, HALO_USER_FIELDS } from '../../core/halo-fields';
import { KeyInfo, allowedKeys, isObject, itemsOf, schemaAt } from '../../core/schema-walk';
import type { LiveNames } from '../../core/semantic';
import { CursorContext, Path, ScalarAt, YamlScan, samePath, scanYaml } from '../../core/yaml-path';
import { attributesAt, attributeValues, COMMON_FIELDS, declaredConnections, directoriesAt, fieldSource, OWNED_FIELDS } from './attributes';
import { escapeChoice, escapeInQuotes, escapeSnippet, formatScalar } from './scalar';
import { schemaMarkdown, typeLabel } from './schema-docs';

export type CompletionKind = 'property' | 'field' | 'attribute' | 'enum' | 'value' | 'name' | 'snippet';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  insertText: string;
  /** insertText is a snippet (placeholders, choices). */
  snippet: boolean;
  /** The offsets replaced. */
  start: number;
  end: number;
  sortText: string;
  filterText?: string;
  preselect?: boolean;
  /** Open completion again after inserting: the value has completions of its own. */
  retrigger?: boolean;
}

/** Spaces per nesting level in inserted text, as in the example mapping. */
const INDENT = 2;
/** More names than anyone scrolls through; the editor filters as the user types. */
const MAX_NAMES = 5000;

type Pattern = string | '#' | '*' | readonly string[];

/** Whether `path` is `pattern`: '#' any list index, '*' any key, an array any of its keys. */
export function matches(path: Path, ...pattern: Pattern[]): boolean {
  if (path.length !== pattern.length) return false;
  return pattern.every((p, i) => {
    const seg = path[i];
    if (p === '#') return typeof seg === 'number';
    if (p === '*') return typeof seg === 'string';
    if (Array.isArray(p)) return typeof seg === 'string' && p.includes(seg);
    return seg === p;
  });
}

const RULES = ['agents', 'users'] as const;
const TENANT_USERS = ['agents', 'users', 'roles', 'cab'] as const;

/**
 * Completions at `offset`. `trigger` is the character that opened completion, if one did: a
 * space, '-' or ':' then only opens it for a value, so that indenting a line shows nothing.
 */
export function completeAt(text: string, offset: number, live?: LiveNames, trigger?: string): CompletionEntry[] {
  const scan = scanYaml(text, offset);
  const ctx = scan.context;
  if (ctx.kind === 'none') return [];
  if (trigger && ctx.kind === 'key') return [];
  const out: CompletionEntry[] = [];
  if (ctx.kind === 'key') keyCompletions(ctx, scan, live, out);
  else {
    if (ctx.itemStart && !ctx.flow) {
      const info = schemaAt(ctx.path);
      if (info && isObject(info)) schemaKeys(ctx.path, ctx, ctx.keyColumn, scan, live, out);
    }
    valueCompletions(ctx, scan, live, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Keys

function keyCompletions(ctx: CursorContext, scan: YamlScan, live: LiveNames | undefined, out: CompletionEntry[]): void {
  const path = ctx.path;
  if (matches(path, 'fields', ['users', 'agents'])) return haloFieldKeys(path[1] as 'users' | 'agents', ctx, scan, out);
  if (matches(path, RULES, '#', 'from', 'where')) return attributeKeys(ctx, scan, out);
  const info = schemaAt(path);
  if (!info) return;
  if (info.properties.length) return schemaKeys(path, ctx, ctx.keyColumn, scan, live, out);
  // Under a list's key, at the items' column: start a new item.
  const items = !ctx.flow && info.types.includes('array') ? itemsOf(info) : undefined;
  if (!items?.properties.length) return;
  allowedKeys([...path, 0], []).forEach((k, i) => {
    const body = keyInsert(k, [...path, 0, k.name], ctx, ctx.keyColumn + INDENT, scan, live);
    out.push({
      label: `- ${k.name}`,
      kind: 'snippet',
      detail: `new item${k.required ? ' (required key)' : ''}`,
      documentation: schemaMarkdown(k.info),
      insertText: `- ${body.text}`,
      snippet: true,
      start: ctx.start,
      end: ctx.end,
      sortText: sortKey(k.required, i),
      filterText: k.name,
      retrigger: body.retrigger,
    });
  });
}

function sortKey(required: boolean, i: number): string {
  return `${required ? 0 : 1}${String(i).padStart(4, '0')}`;
}

function schemaKeys(path: Path, ctx: CursorContext, keyColumn: number, scan: YamlScan, live: LiveNames | undefined, out: CompletionEntry[]): void {
  // Right after "-" with no space yet.
  const lead = ctx.needsSpace ? ' ' : '';
  allowedKeys(path, ctx.presentKeys).forEach((k, i) => {
    const body = keyInsert(k, [...path, k.name], ctx, keyColumn, scan, live);
    out.push({
      label: k.name,
      kind: 'property',
      detail: k.required ? `${typeLabel(k.info)} (required)` : typeLabel(k.info),
      documentation: schemaMarkdown(k.info),
      insertText: lead + body.text,
      snippet: body.snippet,
      start: ctx.start,
      end: ctx.end,
      sortText: sortKey(k.required, i),
      retrigger: body.retrigger,
    });
  });
}

interface Insert {
  text: string;
  snippet: boolean;
  retrigger: boolean;
}

/**
 * What to insert for a key: the key with a value skeleton that fits its schema. The editor indents
 * every inserted line after the first by the line's own indentation, so nested lines carry only
 * the difference between the key's column and that indentation.
 */
function keyInsert(k: KeyInfo, valuePath: Path, ctx: CursorContext, keyColumn: number, scan: YamlScan, live: LiveNames | undefined): Insert {
  const name = k.name;
  if (ctx.colonFollows) return { text: name, snippet: false, retrigger: false };
  const key = escapeSnippet(name);
  const info = k.info;
  const flow = !!ctx.flow;
  const nested = ' '.repeat(Math.max(0, keyColumn - ctx.lineIndent) + INDENT);
  const scalarTypes = info.types.filter((t) => t !== 'object' && t !== 'array');

  const choices = info.enum.length
    ? info.enum.map((e) => String(e.value))
    : info.types.length === 1 && info.types[0] === 'boolean'
      ? ['true', 'false']
      : [];
  if (choices.length === 1) return { text: `${key}: ${escapeSnippet(choices[0])}`, snippet: true, retrigger: false };
  if (choices.length) {
    // The default first: accepting the snippet as it is keeps the default, written out.
    const def = info.hasDefault ? String(info.default) : undefined;
    const ordered = def !== undefined && choices.includes(def) ? [def, ...choices.filter((c) => c !== def)] : choices;
    return { text: `${key}: \${1|${ordered.map(escapeChoice).join(',')}|}`, snippet: true, retrigger: false };
  }
  if (!scalarTypes.length && isObject(info)) {
    return flow ? { text: `${key}: { $0 }`, snippet: true, retrigger: true } : { text: `${key}:\n${nested}$0`, snippet: true, retrigger: true };
  }
  if (!scalarTypes.length && info.types.includes('array')) {
    const items = itemsOf(info);
    if (items && isObject(items)) {
      return flow ? { text: `${key}: [{ $0 }]`, snippet: true, retrigger: true } : { text: `${key}:\n${nested}- $0`, snippet: true, retrigger: true };
    }
    return { text: `${key}: [$0]`, snippet: true, retrigger: valueCandidates([...valuePath, 0], scan, live).length > 0 };
  }
  const candidates = valueCandidates(valuePath, scan, live).length > 0;
  // An example name ("Service Desk") would read as a real one: names are left for completion.
  const example = candidates || isNamePlace(valuePath) ? undefined : info.hasDefault ? info.default : info.examples.find((e) => typeof e === 'string' || typeof e === 'number');
  if (typeof example === 'string' || typeof example === 'number') {
    return { text: `${key}: \${1:${escapeSnippet(String(example))}}`, snippet: true, retrigger: false };
  }
  return { text: `${key}: $0`, snippet: true, retrigger: candidates };
}

function haloFieldKeys(kind: 'users' | 'agents', ctx: CursorContext, scan: YamlScan, out: CompletionEntry[]): void {
  const directories = directoriesAt(ctx.path, scan.values);
  const all = kind === 'users' ? HALO_USER_FIELDS : HALO_AGENT_FIELDS;
  const noun = kind === 'users' ? 'user' : 'agent';
  const skip = new Set([...OWNED_FIELDS[kind], ...ctx.presentKeys]);
  const common = COMMON_FIELDS[kind];
  for (const name of all) {
    if (skip.has(name)) continue;
    const source = fieldSource(directories, name);
    const rank = common.indexOf(name);
    let insertText = name;
    if (!ctx.colonFollows) insertText = source ? `${name}: \${1:${escapeSnippet(source)}}` : `${name}: $0`;
    out.push({
      label: name,
      kind: 'field',
      detail: `Halo ${noun} field`,
      documentation: `Halo ${noun} field \`${name}\`${source ? `, usually filled from \`${source}\`` : ''}.`,
      insertText,
      snippet: !ctx.colonFollows,
      start: ctx.start,
      end: ctx.end,
      sortText: rank >= 0 ? `0${String(rank).padStart(4, '0')}` : `1${name}`,
      retrigger: !ctx.colonFollows && !source,
    });
  }
  if (!ctx.colonFollows && !skip.has('CF')) {
    out.push({
      label: 'CF…',
      kind: 'snippet',
      detail: 'Halo custom field',
      documentation: 'A Halo custom field, by its Halo name, which starts with CF (such as CFDepartment).',
      insertText: 'CF${1:Name}: $0',
      snippet: true,
      start: ctx.start,
      end: ctx.end,
      sortText: '2',
      filterText: 'CF',
    });
  }
}

function attributeKeys(ctx: CursorContext, scan: YamlScan, out: CompletionEntry[]): void {
  const present = new Set(ctx.presentKeys);
  const directories = directoriesAt(ctx.path, scan.values);
  attributesAt(ctx.path, scan.values).forEach((a, i) => {
    if (a.list || present.has(a.name)) return;
    const values = attributeValues(directories, a.name);
    const known = values.length ? values : undefined;
    let insertText = a.name;
    if (!ctx.colonFollows) insertText = known ? `${a.name}: \${1|${known.map(escapeChoice).join(',')}|}` : `${a.name}: $0`;
    out.push({
      label: a.name,
      kind: 'attribute',
      detail: a.detail,
      documentation: `${a.description}\n\nCompared exactly: case matters.`,
      insertText,
      snippet: !ctx.colonFollows,
      start: ctx.start,
      end: ctx.end,
      sortText: `0${String(i).padStart(4, '0')}`,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Values

interface Candidate {
  value: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** Written as it is (true, 1), never quoted. */
  raw?: boolean;
  preselect?: boolean;
}

function valueCompletions(ctx: CursorContext, scan: YamlScan, live: LiveNames | undefined, out: CompletionEntry[]): void {
  const candidates = valueCandidates(ctx.path, scan, live);
  candidates.forEach((c, i) => {
    let insertText = ctx.quote ? escapeInQuotes(c.value, ctx.quote) : c.raw ? c.value : formatScalar(c.value, !!ctx.flow);
    if (ctx.needsSpace) insertText = ` ${insertText}`;
    out.push({
      label: c.value,
      kind: c.kind,
      detail: c.detail,
      documentation: c.documentation,
      insertText,
      snippet: false,
      start: ctx.start,
      end: ctx.end,
      sortText: `${c.kind === 'name' ? 1 : 0}${String(i).padStart(5, '0')}`,
      filterText: c.value,
      preselect: c.preselect,
    });
  });
}

function valuesAt(values: ScalarAt[], path: Path): string | undefined {
  return values.find((v) => samePath(v.path, path))?.value;
}

/** The values a place may take: schema values first, then names from the directories and Halo. */
export function valueCandidates(path: Path, scan: YamlScan, live: LiveNames | undefined): Candidate[] {
  const out: Candidate[] = [];
  const info = schemaAt(path);
  if (info) {
    for (const e of info.enum) {
      out.push({
        value: String(e.value),
        kind: 'enum',
        detail: e.value === info.default ? 'default' : undefined,
        documentation: e.description,
        raw: typeof e.value !== 'string',
        preselect: info.hasDefault && e.value === info.default,
      });
    }
    // A where value may be true or false, but only some attributes are booleans (see namesAt).
    if (!info.enum.length && info.types.includes('boolean') && !matches(path, RULES, '#', 'from', 'where', '*')) {
      for (const b of [true, false]) out.push({ value: String(b), kind: 'value', raw: true, preselect: info.hasDefault && info.default === b, detail: info.default === b ? 'default' : undefined });
    }
  }
  out.push(...namesAt(path, scan.values, live));

  // List items: what the list already holds is not offered again.
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    const parent = path.slice(0, -1);
    const taken = new Set(scan.values.filter((v) => v.path.length === path.length && samePath(v.path.slice(0, -1), parent) && v.path[path.length - 1] !== last).map((v) => v.value));
    return dedupe(out.filter((c) => !taken.has(c.value)));
  }
  return dedupe(out);
}

function dedupe(list: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return list.filter((c) => (seen.has(c.value) ? false : (seen.add(c.value), true)));
}

function names(list: Iterable<string> | undefined, detail: string): Candidate[] {
  const out: Candidate[] = [];
  if (!list) return out;
  for (const value of new Set(list)) {
    if (out.length >= MAX_NAMES) break;
    out.push({ value, kind: 'name', detail });
  }
  return out.sort((a, b) => a.value.localeCompare(b.value));
}

function attributes(path: Path, values: ScalarAt[]): Candidate[] {
  return attributesAt(path, values).map((a) => ({ value: a.list ? `${a.name}[0]` : a.name, kind: 'attribute' as const, detail: a.detail, documentation: a.description }));
}

interface NamePlace {
  /** Whether the value at `path` is a name of this kind. */
  at(path: Path): boolean;
  /** Whether the names come from a directory or Halo (else from the file or a static list). */
  live: boolean;
  names(path: Path, values: ScalarAt[], live: LiveNames): Candidate[];
}

const NO_LIVE: LiveNames = {};

const NAME_PLACES: NamePlace[] = [
  {
    at: (p) => matches(p, TENANT_USERS, '#', ['tenant', 'source']),
    live: false,
    names: (_p, values) => [...declaredConnections(values)].map(([value, d]) => ({ value, kind: 'name' as const, detail: `${d.key} connection` })).sort((a, b) => a.value.localeCompare(b.value)),
  },
  {
    at: (p) => matches(p, 'users', '#', 'siteFrom'),
    live: false,
    names: (p, values) => attributes(p, values).filter((a) => !a.value.endsWith(']')),
  },
  {
    at: (p) =>
      matches(p, 'fields', ['users', 'agents'], '*') ||
      matches(p, 'fields', ['users', 'agents'], '*', '#') ||
      matches(p, 'fields', ['users', 'agents'], '*', 'from') ||
      matches(p, 'fields', ['users', 'agents'], '*', 'from', '#'),
    live: false,
    names: (p, values) => attributes(p, values),
  },
  {
    at: (p) => matches(p, RULES, '#', 'from', 'where', '*'),
    live: false,
    names: (p, values) => attributeValues(directoriesAt(p, values), p[4] as string).map((value) => ({ value, kind: 'value' as const, raw: value === 'true' || value === 'false' })),
  },
  {
    at: (p) => matches(p, RULES, '#', 'from', 'group') || matches(p, RULES, '#', 'from', 'groups', '#') || matches(p, ['roles', 'cab'], '#', 'group'),
    live: true,
    names: (p, values, live) => {
      const groups = live.groups ?? {};
      const declared = declaredConnections(values);
      const tenant = valuesAt(values, [...p.slice(0, 2), 'tenant']) ?? valuesAt(values, [...p.slice(0, 2), 'source']) ?? (declared.size === 1 ? [...declared.keys()][0] : undefined);
      const label = (t: string | undefined) => (t && declared.get(t)?.label) ?? ([...new Set([...declared.values()].map((d) => d.label))].length === 1 ? [...declared.values()][0].label : 'Directory');
      if (tenant && groups[tenant]) return names(groups[tenant], `${label(tenant)} group · ${tenant}`);
      return names(Object.values(groups).flat(), `${label(undefined)} group`);
    },
  },
  {
    at: (p) => matches(p, 'agents', '#', 'roles', '#') || matches(p, 'roles', '#', 'agentRoles', '#'),
    live: true,
    names: (_p, _v, live) => names(live.agentRoles, 'Halo agent role'),
  },
  {
    at: (p) => matches(p, 'users', '#', 'roles', '#') || matches(p, 'roles', '#', 'userRoles', '#'),
    live: true,
    names: (_p, _v, live) => names(live.userRoles, 'Halo user role'),
  },
  { at: (p) => matches(p, 'agents', '#', 'team'), live: true, names: (_p, _v, live) => names(live.teams, 'Halo team') },
  { at: (p) => matches(p, 'users', '#', 'client'), live: true, names: (_p, _v, live) => names(live.clients, 'Halo client') },
  {
    at: (p) => matches(p, 'users', '#', ['site', 'siteDefault']),
    live: true,
    names: (p, values, live) => {
      // Sites of the rule's own client, when the rule names one Halo knows.
      const client = valuesAt(values, [...p.slice(0, 2), 'client']);
      const sites = live.sites ?? [];
      const own = client ? sites.filter((s) => s.client === client) : [];
      return own.length ? names(own.map((s) => s.name), `Halo site · ${client}`) : names(sites.map((s) => s.name), 'Halo site');
    },
  },
  { at: (p) => matches(p, 'cab', '#', 'cab'), live: true, names: (_p, _v, live) => names(live.cabs?.map((c) => c.name), 'Halo CAB') },
  {
    at: (p) => matches(p, 'cab', '#', 'role'),
    live: true,
    names: (p, values, live) => {
      const cab = valuesAt(values, [...p.slice(0, 2), 'cab']);
      const found = live.cabs?.find((c) => c.name === cab);
      return names(found ? found.roles : live.cabs?.flatMap((c) => c.roles), found ? `CAB role · ${found.name}` : 'CAB role');
    },
  },
];

/** Whether the value at `path` names something (a group, team, attribute…) rather than a setting. */
export function isNamePlace(path: Path): boolean {
  return NAME_PLACES.some((n) => n.at(path));
}

function namesAt(path: Path, values: ScalarAt[], live: LiveNames | undefined): Candidate[] {
  const place = NAME_PLACES.find((n) => n.at(path));
  if (!place || (place.live && !live)) return [];
  return place.names(path, values, live ?? NO_LIVE);
}
