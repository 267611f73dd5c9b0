// The directories a mapping can read, as data: each source describes itself in
// src/sources/<name>/language.json and scripts/build-language.mjs gathers them into
// directories.json. Core knows a directory only by what that data says, never by its name.
import data from './directories.json';
import type { Mapping } from './mapping';

export interface AttributeInfo {
  type: string;
  collection?: boolean;
  properties?: Record<string, AttributeInfo>;
}

export interface AttributeCatalogue {
  /** Where the names come from, for messages: "Graph's metadata". */
  reference: string;
  /** Who names the attributes, for messages: "Graph". */
  authority: string;
  /** Example names, for messages. */
  examples: string;
  managerExamples: string;
  listExample: string;
  /** What an undocumented attribute is called in hover: "Graph user property". */
  kind: string;
  /** Names the directory's own tenants define (directory extensions, custom attributes): a regular expression. */
  extension?: string;
  /** Any name is accepted: the directory's schema is its administrator's (custom profile attributes, LDAP). */
  open?: boolean;
  /** The attribute marking guests and its values, when the directory has guests. */
  guest?: { attribute: string; values: string[]; guestValue: string };
  /** Permissions some attributes need beyond the reader's base ones, by root attribute. */
  permissions?: Record<string, string>;
  descriptions?: Record<string, string>;
  values?: Record<string, string[]>;
  /** The attribute most Halo fields of that name are filled from. */
  fieldSources?: Record<string, string>;
  properties: Record<string, AttributeInfo>;
  relationships: string[];
  /** The attribute holding the user's last sign-in, for the licence report. */
  lastSignIn?: string;
  /** Attributes given only when one user is read, never in a list. */
  singleOnly: string[];
}

export interface Directory {
  /** The mapping's list key: `entra:`. */
  key: string;
  /** As people name it: "Entra". */
  label: string;
  labelWithArticle: string;
  /** The Halo user field that holds this directory's id of the user (written on create), or null: matched afresh every run. */
  links: string | null;
  /** Whether groups contain groups (members are then counted transitively). */
  nests: boolean;
  catalogue: AttributeCatalogue;
}

export const DIRECTORIES: readonly Directory[] = data.directories as unknown as Directory[];
const BY_KEY = new Map(DIRECTORIES.map((d) => [d.key, d]));

export function directoryNamed(key: string): Directory | undefined {
  return BY_KEY.get(key);
}

/** One connection of the mapping, in whichever directory list it sits. */
export interface ConnectionRef {
  directory: Directory;
  /** Position in its list (`okta[1]`). */
  index: number;
  name: string;
  /** The entry as the mapping has it (secrets still as references). */
  settings: Record<string, unknown>;
}

const connections = new WeakMap<Mapping, ConnectionRef[]>();

/**
 * Every directory connection of the mapping: the lists in the order of DIRECTORIES, each in file
 * order. Worked out once per mapping object (a parsed mapping is never changed after parsing).
 */
export function connectionsOf(mapping: Mapping): ConnectionRef[] {
  let out = connections.get(mapping);
  if (!out) connections.set(mapping, (out = listConnections(mapping)));
  return out;
}

function listConnections(mapping: Mapping): ConnectionRef[] {
  const lists = mapping as unknown as Record<string, unknown>;
  return DIRECTORIES.flatMap((directory) => {
    const list = lists[directory.key];
    if (!Array.isArray(list)) return [];
    return list.map((settings: Record<string, unknown>, index) => ({ directory, index, name: String(settings?.name ?? ''), settings }));
  });
}

/** The connection a rule or grant reads from: its own (`tenant:` or `source:`), or the only configured one. */
export function tenantOf(mapping: Mapping, item: { tenant?: string; source?: string }): string {
  return item.tenant ?? item.source ?? connectionsOf(mapping)[0]?.name ?? '';
}

export function directoryOfTenant(mapping: Mapping, tenant: string): Directory | undefined {
  return connectionsOf(mapping).find((c) => c.name === tenant)?.directory;
}

/** How messages name the directory of `tenant`, or of the whole mapping: its label when there is one kind, else "directory". */
export function directoryLabel(mapping: Mapping, tenant?: string): string {
  if (tenant !== undefined) {
    const d = directoryOfTenant(mapping, tenant);
    if (d) return d.label;
  }
  const kinds = new Set(connectionsOf(mapping).map((c) => c.directory.label));
  return kinds.size === 1 ? [...kinds][0] : 'directory';
}

/** Whether a selector asks for guests: `includeGuests`, or `where` on the directory's guest marker (`userType: Guest`). */
export function asksForGuests(sel: { includeGuests?: boolean; where?: Record<string, unknown> }, directory: Directory | undefined): boolean {
  const g = directory?.catalogue.guest;
  return sel.includeGuests === true || (g !== undefined && sel.where?.[g.attribute] === g.guestValue);
}

/** "an Entra" for one kind of directory in the mapping (or the tenant's), else "a directory": for "… attribute". */
export function directoryWithArticle(mapping: Mapping, tenant?: string): string {
  const d = tenant !== undefined ? directoryOfTenant(mapping, tenant) : undefined;
  if (d) return d.labelWithArticle;
  const kinds = [...new Map(connectionsOf(mapping).map((c) => [c.directory.key, c.directory])).values()];
  return kinds.length === 1 ? kinds[0].labelWithArticle : 'a directory';
}
