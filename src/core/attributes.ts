// User attributes as each directory's own documents name them (the catalogues of directories.json):
// which names a mapping may read, and why one it may not is wrong, so that a bad name is a
// positioned error at validation, never a failed or empty read at plan time.
import type { AttributeCatalogue, AttributeInfo, Directory } from './directories';
import { didYouMean, suggest } from './suggest';

export interface Attribute {
  /** As a mapping writes it: department, businessPhones (index it: businessPhones[0]), employeeOrgData.division. */
  name: string;
  /** The directory's type, such as String, DateTimeOffset or Boolean. */
  type: string;
  list: boolean;
}

const primitive = (p: AttributeInfo) => p.type.startsWith('Edm.');
const typeName = (p: AttributeInfo) => p.type.replace(/^Edm\./, '');

const listed = new WeakMap<AttributeCatalogue, readonly Attribute[]>();

/** Every attribute a mapping can read from the directory's list of users, in the catalogue's order. */
export function attributesOf(directory: Directory): readonly Attribute[] {
  const c = directory.catalogue;
  let out = listed.get(c);
  if (!out) {
    const single = new Set(c.singleOnly);
    out = Object.entries(c.properties).flatMap(([name, p]): Attribute[] => {
      if (single.has(name)) return [];
      if (p.properties) {
        return Object.entries(p.properties)
          .filter(([, q]) => primitive(q) && !q.collection)
          .map(([sub, q]) => ({ name: `${name}.${sub}`, type: typeName(q), list: false }));
      }
      return primitive(p) ? [{ name, type: typeName(p), list: p.collection === true }] : [];
    });
    listed.set(c, out);
  }
  return out;
}

export const MANAGER = 'manager';
/** `manager.agent`: the Halo agent id of the manager's agent record (for an agent's linemanager). */
export const MANAGER_AGENT = 'agent';

/** For `manager.mail`: `mail`, the attribute read from the manager's own record; else undefined. */
export function managerAttribute(source: string): string | undefined {
  return source.startsWith(`${MANAGER}.`) ? source.slice(MANAGER.length + 1) : undefined;
}

/** The permission `source` needs beyond the reader's base ones in `directory`, if any. */
export function attributePermission(directory: Directory, source: string): string | undefined {
  return directory.catalogue.permissions?.[source.split(/[.[]/, 1)[0]];
}

export interface AttributeProblem {
  message: string;
  suggestions: string[];
  /** A warning: the directory may still have the name (its administrator's own attributes). */
  warning?: boolean;
}

function problem(message: string, suggestions: string[] = [], warning = false): AttributeProblem {
  return { message: message + didYouMean(suggestions), suggestions, ...(warning ? { warning } : {}) };
}

/**
 * Why `source` (`attr`, `attr[n]`, `attr.sub`) is not an attribute of the directory's users list, or
 * undefined when it is. Names are compared exactly: a directory that matches names in any case
 * still answers in its own, so a name in another case would read as empty.
 */
export function attributeProblem(directory: Directory, source: string): AttributeProblem | undefined {
  const c = directory.catalogue;
  const { label, labelWithArticle } = directory;
  const by = c.authority;
  if (c.extension && new RegExp(c.extension).test(source)) return undefined;
  const names = attributesOf(directory).map((a) => a.name);
  // The manager's own attribute of an object or a typed list (`manager.name.fullName`, `manager.emails.work`).
  const of = managerAttribute(source);
  if (of !== undefined && /^[^.[\]]+\.[^.[\]]+$/.test(of) && !of.startsWith(`${MANAGER}.`)) {
    const inner = attributeProblem(directory, of);
    return inner && { ...inner, message: `manager.${of}: ${inner.message}`, suggestions: inner.suggestions.map((n) => `manager.${n}`) };
  }
  const m = /^([^.[\]]+)(?:\.([^.[\]]+))?(\[[0-9]+\])?$/.exec(source);
  if (!m) {
    return problem(`"${source}" is not ${labelWithArticle} attribute: write a name such as ${c.examples}`, suggest(source, names));
  }
  const [, root, sub, index] = m;
  const properties = c.properties;
  const single = new Set(c.singleOnly);
  const p = properties[root];
  if (root === MANAGER && sub !== undefined && index === undefined) {
    if (sub === MANAGER_AGENT) return undefined;
    const q = properties[sub];
    if ((q && primitive(q) && !q.collection && !single.has(sub)) || (c.open && !q)) return undefined;
    return problem(`manager.${sub}: the manager's attribute must be a single value ${label} users have, or manager.agent for the Halo agent id of the manager's agent record`, suggest(sub, names.filter((n) => !n.includes('.'))).map((n) => `manager.${n}`));
  }
  if (!p) {
    if (root === MANAGER) return problem(`manager is a relationship in ${by}, not an attribute: write ${c.managerExamples} for one of the manager's attributes, or manager.agent (agents) for the manager's Halo agent`, [`manager.${names.includes('mail') ? 'mail' : names[0]}`]);
    if (c.relationships.includes(root)) return problem(`${root} is a relationship of a user in ${by}, not an attribute`);
    const cased = Object.keys(properties).find((k) => k.toLowerCase() === root.toLowerCase()) ?? c.relationships.find((k) => k.toLowerCase() === root.toLowerCase());
    if (cased) return problem(`${by} writes "${root}" as "${cased}": names are compared exactly here`, [source.replace(root, cased)]);
    if (c.open) return problem(`${label} users have no attribute "${root}" in ${c.reference}: it is read as the org's own custom attribute, empty unless there is one by that exact name`, suggest(source, names), true);
    return problem(`${label} users have no attribute "${root}" in ${c.reference}`, suggest(source, names));
  }
  if (single.has(root)) return problem(`${by} returns ${root} only when one user is read, never in the list of users this reads`);
  if (p.properties) {
    if (sub === undefined) {
      const first = Object.keys(p.properties)[0];
      return problem(`${root} is an object in ${by}: name one of its values, such as ${root}.${first}`, Object.keys(p.properties).map((k) => `${root}.${k}`).slice(0, 3));
    }
    const q = p.properties[sub];
    if (!q) return problem(`${by}'s ${root} has no "${sub}"`, suggest(sub, Object.keys(p.properties)).map((k) => `${root}.${k}`));
    if (index !== undefined || !primitive(q) || q.collection) return problem(`${root}.${sub} is not a single value in ${by}`);
    return undefined;
  }
  if (sub !== undefined) return problem(`${root} is a single value in ${by}, with no .${sub}`, [root]);
  if (!primitive(p)) return problem(`${root} is ${p.collection ? 'a list of objects' : 'an object'} in ${by}, not a value a mapping can use`);
  if (index !== undefined && !p.collection) return problem(`${root} is a single value in ${by}: ${index} applies to lists such as ${c.listExample}`, [root]);
  return undefined;
}
