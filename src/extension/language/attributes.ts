// Directory attributes for completion and hover: the names are each directory's own (its
// catalogue in core/directories.json, from the source's language.json), and so are the words about
// the common ones. Which directory a place reads is worked out from the text alone: a rule's own
// connection, or every directory the file declares (fields apply to all of them).
import { attributesOf } from '../../core/attributes';
import { Directory, DIRECTORIES } from '../../core/directories';
import { Path, ScalarAt, samePath } from '../../core/yaml-path';

export interface AttributeEntry {
  name: string;
  description: string;
  /** Multi-valued: index it, as businessPhones[0]. */
  list?: boolean;
  /** "Entra attribute". */
  detail: string;
}

const byDirectory = new Map<Directory, readonly AttributeEntry[]>();

/** Every attribute the directory's users list has, the described (common) ones first. */
export function attributeEntries(directory: Directory): readonly AttributeEntry[] {
  let out = byDirectory.get(directory);
  if (!out) {
    const c = directory.catalogue;
    const described = Object.keys(c.descriptions ?? {});
    const rank = (n: string) => described.indexOf(n) + 1 || Infinity;
    out = [...attributesOf(directory)]
      .sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((a) => ({
        name: a.name,
        description: c.descriptions?.[a.name] ?? `${c.kind} (${a.type}${a.list ? ', a list' : ''}).`,
        detail: `${directory.label} attribute`,
        ...(a.list ? { list: true } : {}),
      }));
    byDirectory.set(directory, out);
  }
  return out;
}

/** The connections the file declares, by name. */
export function declaredConnections(values: ScalarAt[]): Map<string, Directory> {
  const out = new Map<string, Directory>();
  for (const v of values) {
    if (v.path.length !== 3 || typeof v.path[1] !== 'number' || v.path[2] !== 'name') continue;
    const d = DIRECTORIES.find((x) => x.key === v.path[0]);
    if (d && !out.has(v.value)) out.set(v.value, d);
  }
  return out;
}

/** The directories the place at `path` reads: its rule's (or grant's) connection, else every declared one. */
export function directoriesAt(path: Path, values: ScalarAt[]): Directory[] {
  const declared = declaredConnections(values);
  const all = [...new Set(declared.values())];
  if (typeof path[1] === 'number' && ['agents', 'users', 'roles', 'cab'].includes(String(path[0]))) {
    const named = ['tenant', 'source'].map((k) => values.find((v) => samePath(v.path, [path[0], path[1], k]))?.value).find((v) => v !== undefined);
    const own = named !== undefined ? declared.get(named) : undefined;
    if (own) return [own];
  }
  return all.length ? all : [...DIRECTORIES];
}

/** Attributes of the directories at a place: each once, the first directory's words winning. */
export function attributesAt(path: Path, values: ScalarAt[]): AttributeEntry[] {
  const seen = new Set<string>();
  return directoriesAt(path, values).flatMap((d) => attributeEntries(d).filter((a) => !seen.has(a.name) && (seen.add(a.name), true)));
}

/** Values the directories give an attribute, for `where:` (userType: Member, Guest). */
export function attributeValues(directories: Directory[], attribute: string): readonly string[] {
  for (const d of directories) {
    const v = d.catalogue.values?.[attribute];
    if (v) return v;
  }
  return [];
}

/** The attribute most Halo fields of that name are filled from, in the first directory that says. */
export function fieldSource(directories: Directory[], field: string): string | undefined {
  for (const d of directories) {
    const s = d.catalogue.fieldSources?.[field];
    if (s) return s;
  }
  return undefined;
}

/** Halo fields most mappings write, offered first. */
export const COMMON_FIELDS: Readonly<Record<'users' | 'agents', readonly string[]>> = {
  users: ['name', 'firstname', 'surname', 'emailaddress', 'title', 'phonenumber', 'mobilenumber', 'department', 'login', 'email2', 'notes'],
  agents: ['name', 'firstname', 'surname', 'email', 'jobtitle', 'department', 'sms', 'ad', 'initials', 'signature'],
};

/** Fields Halo Identity writes itself (see the owned-field check): never offered. */
export const OWNED_FIELDS: Readonly<Record<'users' | 'agents', readonly string[]>> = {
  users: ['id', 'site_id', 'client_id', 'inactive', 'azureoid'],
  agents: ['id', 'isdisabled'],
};
