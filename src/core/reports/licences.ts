// Licence hygiene: every agent's licence, when they last signed in (Halo's lastlogindate, and
// Entra's signInActivity when the token may read it), who is idle past N days, and the named
// licences held by agents disabled or gone in Entra; API agents apart; a monthly cost line.
import type { AgentLink } from '../agent-links';
import type { Identity } from '../desired';
import { directoryLabel, directoryOfTenant } from '../directories';
import type { Mapping } from '../mapping';
import { plan } from '../plan';
import type { DirectorySnapshot, HaloSnapshot } from '../snapshot';

export const HALO_LAST_LOGIN = 'lastlogindate';

export type EntraState = 'enabled' | 'disabled' | 'deleted' | 'not matched';

export interface LicenceRow {
  haloId: number;
  name: string;
  email: string | null;
  licence: string | null;
  active: boolean;
  apiAgent: boolean;
  lastLoginHalo: string | null;
  lastSignInEntra: string | null;
  /** Days since the later of the two; null when neither says (never signed in, or not read). */
  idleDays: number | null;
  entra: EntraState;
  /** idle, named-but-disabled-in-Entra, named-but-deleted-in-Entra. */
  flags: string[];
}

export interface LicenceReport {
  rows: LicenceRow[];
  idleDaysLimit: number;
  named: number;
  concurrent: number;
  idle: number;
  /** Named licences held by active Halo agents whose Entra account is disabled or deleted. */
  namedHeldByGone: number;
  apiAgents: number;
  /** With a cost per named licence per month. */
  cost?: { perNamed: number; named: number; idleNamed: number; recoverable: number };
}

export interface LicenceInput {
  mapping: Mapping;
  directories: DirectorySnapshot;
  halo: HaloSnapshot;
  now: Date;
  idleDays?: number;
  costPerNamed?: number;
  agentLinks?: readonly AgentLink[];
}

const DAY = 86_400_000;

export function licenceReport(input: LicenceInput): LicenceReport {
  const { halo, now } = input;
  const limit = input.idleDays ?? 30;
  const matched = new Map<number, Identity>();
  plan(input.mapping, input.directories, halo, { agentLinks: input.agentLinks, onMatch: (kind, id, identity) => kind === 'agent' && matched.set(id, identity) });
  // An agent matched at an earlier plan whose directory object is gone: deleted there.
  const live = new Map(input.directories.tenants.map((t) => [t.tenant, new Set(t.users.map((u) => u.id))]));
  const vanished = (input.agentLinks ?? []).filter((l) => live.get(l.tenant) && !live.get(l.tenant)!.has(l.entraId));
  const deleted = new Set(vanished.map((l) => l.haloId));
  const deletedIn = new Map(vanished.map((l) => [l.haloId, l.tenant]));

  const rows: LicenceRow[] = halo.agents.map((a) => {
    const identity = matched.get(a.id);
    const lastLoginHalo = dateOf(a.fields[HALO_LAST_LOGIN]);
    const signIn = identity ? directoryOfTenant(input.mapping, identity.tenant)?.catalogue.lastSignIn : undefined;
    const lastSignInEntra = identity && signIn ? dateOf(identity.user.attrs[signIn]) : null;
    const latest = [lastLoginHalo, lastSignInEntra].filter((d): d is string => d !== null).sort().at(-1);
    const idleDays = latest === undefined ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(latest)) / DAY));
    const entra: EntraState = identity ? (identity.user.enabled ? 'enabled' : 'disabled') : deleted.has(a.id) ? 'deleted' : 'not matched';
    const flags: string[] = [];
    if (!a.disabled && !a.isApiAgent && (idleDays === null || idleDays > limit)) flags.push(idleDays === null ? 'never signed in' : `idle ${idleDays} days`);
    if (!a.disabled && a.licence === 'named' && (entra === 'disabled' || entra === 'deleted')) flags.push(`named licence, ${entra} in ${directoryLabel(input.mapping, identity?.tenant ?? deletedIn.get(a.id))}`);
    return { haloId: a.id, name: a.name ?? '', email: typeof a.fields.email === 'string' ? a.fields.email : null, licence: a.licence ?? null, active: !a.disabled, apiAgent: a.isApiAgent, lastLoginHalo, lastSignInEntra, idleDays, entra, flags };
  });
  rows.sort((x, y) => Number(x.apiAgent) - Number(y.apiAgent) || (x.name.toLowerCase() < y.name.toLowerCase() ? -1 : x.name.toLowerCase() > y.name.toLowerCase() ? 1 : x.haloId - y.haloId));

  const people = rows.filter((r) => !r.apiAgent && r.active);
  const named = people.filter((r) => r.licence === 'named');
  const idle = people.filter((r) => r.flags.some((f) => f.startsWith('idle') || f === 'never signed in'));
  const gone = named.filter((r) => r.entra === 'disabled' || r.entra === 'deleted');
  const report: LicenceReport = {
    rows,
    idleDaysLimit: limit,
    named: named.length,
    concurrent: people.filter((r) => r.licence === 'concurrent').length,
    idle: idle.length,
    namedHeldByGone: gone.length,
    apiAgents: rows.filter((r) => r.apiAgent).length,
  };
  if (input.costPerNamed !== undefined) {
    const idleNamed = idle.filter((r) => r.licence === 'named').length;
    const recoverable = new Set([...idle.filter((r) => r.licence === 'named'), ...gone].map((r) => r.haloId)).size;
    const money = (n: number) => Math.round(n * input.costPerNamed! * 100) / 100;
    report.cost = { perNamed: input.costPerNamed, named: money(named.length), idleNamed: money(idleNamed), recoverable: money(recoverable) };
  }
  return report;
}

/** An ISO date from Halo's or Graph's value; Halo's "never" (year 1900 or earlier) and junk are null. */
function dateOf(v: unknown): string | null {
  if (typeof v !== 'string' || !v) return null;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  if (!Number.isFinite(t) || new Date(t).getUTCFullYear() <= 1900) return null;
  return new Date(t).toISOString();
}
