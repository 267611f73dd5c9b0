// What the mapping schema says about one place in the file: its description, allowed values,
// default, types and the keys it may hold. Used by completion and hover, which know a path
// (`agents[0].licence`) but not which $ref, anyOf branch or additionalProperties it lands in.
import bundled from '../../schemas/halo-identity.schema.json';
import type { Path } from './diagnostic';

export type SchemaNode = { [keyword: string]: unknown };

export interface EnumValue {
  value: string | number | boolean | null;
  description?: string;
}

export interface SchemaInfo {
  /** The schema objects that apply here, most specific first: the referring site, its $ref target, union branches. */
  nodes: SchemaNode[];
  description?: string;
  /** JSON types the value may have (from `type`, `enum` and `const`). */
  types: string[];
  enum: EnumValue[];
  hasDefault: boolean;
  default?: unknown;
  examples: unknown[];
  /** Named keys, in schema order. */
  properties: Array<{ name: string; node: SchemaNode }>;
  required: string[];
  /** The schema of keys not named in `properties`, when any key is allowed. */
  additionalProperties?: SchemaNode;
  /** The schema of list items. */
  items?: SchemaNode;
}

export interface KeyInfo {
  name: string;
  required: boolean;
  info: SchemaInfo;
}

const MAX_DEPTH = 20;

function isNode(v: unknown): v is SchemaNode {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function deref(ref: string, root: SchemaNode): SchemaNode | undefined {
  const hash = ref.indexOf('#');
  if (hash < 0) return undefined;
  let target: unknown = root;
  for (const part of ref.slice(hash + 1).split('/').slice(1)) {
    if (!isNode(target)) return undefined;
    target = target[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isNode(target) ? target : undefined;
}

/** The node, then what its $ref and its anyOf/oneOf/allOf branches bring, depth first. */
function flatten(node: SchemaNode, root: SchemaNode, out: SchemaNode[], depth = 0): SchemaNode[] {
  if (depth > MAX_DEPTH || out.includes(node)) return out;
  out.push(node);
  if (typeof node.$ref === 'string') {
    const target = deref(node.$ref, root);
    if (target) flatten(target, root, out, depth + 1);
  }
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const branches = node[k];
    if (Array.isArray(branches)) for (const b of branches) if (isNode(b)) flatten(b, root, out, depth + 1);
  }
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Everything the nodes at one place say, merged. */
export function describe(nodes: SchemaNode[]): SchemaInfo {
  const info: SchemaInfo = { nodes, types: [], enum: [], hasDefault: false, examples: [], properties: [], required: [] };
  const types = new Set<string>();
  const seenProps = new Set<string>();
  for (const n of nodes) {
    if (info.description === undefined) {
      const d = typeof n.markdownDescription === 'string' ? n.markdownDescription : typeof n.description === 'string' ? n.description : undefined;
      if (d) info.description = d;
    }
    if (typeof n.type === 'string') types.add(n.type);
    else if (Array.isArray(n.type)) for (const t of n.type) types.add(String(t));
    if (Array.isArray(n.enum)) {
      const descriptions = (Array.isArray(n.markdownEnumDescriptions) ? n.markdownEnumDescriptions : n.enumDescriptions) as unknown[] | undefined;
      n.enum.forEach((value, i) => {
        if (info.enum.some((e) => e.value === value)) return;
        const d = descriptions?.[i];
        info.enum.push({ value: value as EnumValue['value'], ...(typeof d === 'string' ? { description: d } : {}) });
        types.add(jsonType(value));
      });
    }
    if ('const' in n && !info.enum.some((e) => e.value === n.const)) {
      info.enum.push({ value: n.const as EnumValue['value'] });
      types.add(jsonType(n.const));
    }
    if (!info.hasDefault && 'default' in n) {
      info.hasDefault = true;
      info.default = n.default;
    }
    if (Array.isArray(n.examples)) info.examples.push(...n.examples);
    if (isNode(n.properties)) {
      for (const [name, node] of Object.entries(n.properties)) {
        if (seenProps.has(name) || !isNode(node)) continue;
        seenProps.add(name);
        info.properties.push({ name, node });
      }
      // Alternatives that only list required keys (site | siteFrom) do not make either required.
      if (Array.isArray(n.required)) for (const r of n.required) if (!info.required.includes(String(r))) info.required.push(String(r));
    }
    if (info.additionalProperties === undefined && isNode(n.additionalProperties)) info.additionalProperties = n.additionalProperties;
    if (info.items === undefined && isNode(n.items)) info.items = n.items;
  }
  info.types = [...types];
  return info;
}

/** The schema nodes that apply at `path`, or undefined when the schema does not know the place. */
export function nodesAt(path: Path, root: SchemaNode = bundled as SchemaNode): SchemaNode[] | undefined {
  let here = flatten(root, root, []);
  for (const seg of path) {
    const next: SchemaNode[] = [];
    for (const n of here) {
      if (typeof seg === 'number') {
        if (isNode(n.items)) next.push(n.items);
        continue;
      }
      const props = isNode(n.properties) ? n.properties : undefined;
      if (props && isNode(props[seg])) next.push(props[seg] as SchemaNode);
      else if (isNode(n.additionalProperties)) next.push(n.additionalProperties);
    }
    if (!next.length) return undefined;
    const flat: SchemaNode[] = [];
    for (const n of next) flatten(n, root, flat);
    here = flat;
  }
  return here;
}

/** What the schema says about `path`, or undefined when it does not know the place. */
export function schemaAt(path: Path, root: SchemaNode = bundled as SchemaNode): SchemaInfo | undefined {
  const nodes = nodesAt(path, root);
  return nodes ? describe(nodes) : undefined;
}

/** Keys the mapping at `path` may still take, required ones first, then in schema order. */
export function allowedKeys(path: Path, present: Iterable<string> = [], root: SchemaNode = bundled as SchemaNode): KeyInfo[] {
  const info = schemaAt(path, root);
  if (!info) return [];
  const have = new Set(present);
  const keys = info.properties
    .filter((p) => !have.has(p.name))
    .map((p) => ({ name: p.name, required: info.required.includes(p.name), info: describe(flatten(p.node, root, [])) }));
  return [...keys.filter((k) => k.required), ...keys.filter((k) => !k.required)];
}

/** Whether the place holds a mapping with named keys (an object in the schema). */
export function isObject(info: SchemaInfo): boolean {
  return info.properties.length > 0 || (info.types.includes('object') && !info.types.some((t) => t !== 'object'));
}

/** The item schema of a list place, described. */
export function itemsOf(info: SchemaInfo, root: SchemaNode = bundled as SchemaNode): SchemaInfo | undefined {
  return info.items ? describe(flatten(info.items, root, [])) : undefined;
}
