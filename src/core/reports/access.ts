// The access review: every agent and user in managed scope with each role, team and CAB seat it
// holds in Halo, and for each the mapping entry that grants it (through which Entra group path) or
// "not granted by the mapping" when someone granted it by hand in Halo.
import type { Identity } from '../desired';
import { clientNamesByRule } from '../desired';
import type { Mapping } from '../mapping';
import { plan } from '../plan';
import { resolveScope } from '../scope';
import { GrantSources, type GrantType } from '../provenance';
import type { DirectorySnapshot, HaloSnapshot } from '../snapshot';
import type { GroupTree } from './group-paths';
import { NOT_GRANTED } from './terms';

export { NOT_GRANTED, type GrantType };

/** A Halo record as the reports name it. */
export interface RecordRef {
  kind: 'agent' | 'user';
  haloId: number;
  name: string;
  email: string | null;
  /** Users: their client and site; agents have neither. */
  client: string | null;
  site: string | null;
}

export interface AccessRow extends RecordRef {
  active: boolean;
  /** The Entra identity the record is matched to (user principal name), if any. */
  entra: string | null;
  /** Empty for a record that holds nothing. */
  grantType: GrantType | '';
  grant: string;
  /** Every mapping entry that grants it, e.g. "SG-Tier2 ⊂ SG-Halo-Agents → rule service-desk"; else NOT_GRANTED. */
  provenance: string[];
}

export interface AccessReport {
  rows: AccessRow[];
  records: number;
  grants: number;
  /** Grants no mapping entry accounts for. */
  ungranted: number;
}

export interface AccessInput {
  mapping: Mapping;
  directories: DirectorySnapshot;
  halo: HaloSnapshot;
  /** Per tenant, the nested groups under the groups the mapping names (for paths); without it, the named group alone. */
  trees?: ReadonlyMap<string, GroupTree>;
  /** Every active agent and user in Halo, not only those in managed scope. */
  all?: boolean;
}

export function accessReport(input: AccessInput): AccessReport {
  const { mapping, directories, halo } = input;
  const matched = { agent: new Map<number, Identity>(), user: new Map<number, Identity>() };
  plan(mapping, directories, halo, { onMatch: (kind, id, identity) => matched[kind].set(id, identity) });
  const scope = resolveScope(mapping, halo, clientNamesByRule(mapping, directories));
  const cabsOf = { agent: new Map<number, string[]>(), user: new Map<number, string[]>() };
  for (const cab of halo.cabs) {
    for (const m of cab.members) {
      if (m.agentId !== null) (cabsOf.agent.get(m.agentId) ?? cabsOf.agent.set(m.agentId, []).get(m.agentId)!).push(cab.name);
      if (m.userId !== null) (cabsOf.user.get(m.userId) ?? cabsOf.user.set(m.userId, []).get(m.userId)!).push(cab.name);
    }
  }
  const clientName = new Map(halo.clients.map((c) => [c.id, c.name]));
  const siteName = new Map(halo.sites.map((s) => [s.id, s.name]));
  const sources = new GrantSources(mapping, directories, input.trees);
  const rows: AccessRow[] = [];
  let records = 0;

  const add = (kind: 'agent' | 'user', base: Omit<AccessRow, 'grantType' | 'grant' | 'provenance' | 'kind'>, held: Array<[GrantType, string]>, identity: Identity | undefined) => {
    records++;
    if (!held.length) rows.push({ kind, ...base, grantType: '', grant: '', provenance: [] });
    for (const [type, name] of held) {
      const from = identity ? sources.of(kind, type, name, identity) : [];
      rows.push({ kind, ...base, grantType: type, grant: name, provenance: from.length ? from : [NOT_GRANTED] });
    }
  };

  // With agent rules, an active agent no identity claims is in managed scope too (an orphan), unless protected or an API agent.
  const orphanAgents = (mapping.agents ?? []).length > 0;
  for (const a of halo.agents) {
    const identity = matched.agent.get(a.id);
    const inScope = identity !== undefined || (orphanAgents && !a.disabled && !a.isApiAgent && !scope.isProtectedRecord('agent', a.id, a.fields.email, undefined));
    if (!inScope && !(input.all && !a.disabled)) continue;
    const held: Array<[GrantType, string]> = [...(a.roles ?? []).map((r): [GrantType, string] => ['role', r]), ...(a.teams ?? []).map((t): [GrantType, string] => ['team', t]), ...(cabsOf.agent.get(a.id) ?? []).map((c): [GrantType, string] => ['cab', c])];
    add('agent', { haloId: a.id, name: a.name ?? '', email: str(a.fields.email), client: null, site: null, active: !a.disabled, entra: upn(identity) }, held, identity);
  }
  for (const u of halo.users) {
    const inScope = scope.userInScope(u);
    if (!inScope && !(input.all && !u.inactive)) continue;
    const identity = matched.user.get(u.id);
    const held: Array<[GrantType, string]> = [...(u.roles ?? []).map((r): [GrantType, string] => ['role', r]), ...(cabsOf.user.get(u.id) ?? []).map((c): [GrantType, string] => ['cab', c])];
    add('user', { haloId: u.id, name: u.name ?? '', email: str(u.fields.emailaddress), client: u.clientId === null ? null : (clientName.get(u.clientId) ?? null), site: u.siteId === null ? null : (siteName.get(u.siteId) ?? null), active: !u.inactive, entra: upn(identity) }, held, identity);
  }

  rows.sort(compareRows);
  const granted = rows.filter((r) => r.grantType !== '');
  return { rows, records, grants: granted.length, ungranted: granted.filter((r) => r.provenance[0] === NOT_GRANTED).length };
}

function compareRows(a: AccessRow, b: AccessRow): number {
  return cmp(a.kind, b.kind) || cmp(a.name.toLowerCase(), b.name.toLowerCase()) || a.haloId - b.haloId || cmp(a.grantType, b.grantType) || cmp(a.grant.toLowerCase(), b.grant.toLowerCase());
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}

function upn(id: Identity | undefined): string | null {
  if (!id) return null;
  const v = id.user.attrs.userPrincipalName ?? id.user.attrs.mail;
  return typeof v === 'string' ? v : id.user.id;
}
