// Orphans: active agents and users in managed scope that no Entra identity claims (the plan's
// orphans), each with the Entra accounts it might belong to, as suggestions to check by hand:
// a near-miss email (a typo, another domain) or the same name. Never matched automatically.
import type { Mapping } from '../mapping';
import type { RecordRef } from './access';
import { plan } from '../plan';
import type { DirectorySnapshot, DirectoryUser, HaloSnapshot } from '../snapshot';
import { editDistance } from '../suggest';

export interface OrphanRow extends RecordRef {
  /** e.g. `jane.doe@contoso.com (same name)`; empty when nothing is close. */
  suggestions: string[];
}

export interface OrphanReport {
  rows: OrphanRow[];
  agents: number;
  users: number;
  /** Orphans per client (users) and "agents", for a chart. */
  byClient: Record<string, number>;
}

export function orphanReport(mapping: Mapping, directories: DirectorySnapshot, halo: HaloSnapshot): OrphanReport {
  const p = plan(mapping, directories, halo);
  const users = directories.tenants.flatMap((t) => t.users);
  const near = p.orphans.length ? new NearEmails(users) : undefined;
  const clientName = new Map(halo.clients.map((c) => [c.id, c.name]));
  const siteName = new Map(halo.sites.map((s) => [s.id, s.name]));
  const agents = new Map(halo.agents.map((a) => [a.id, a]));
  const haloUsers = new Map(halo.users.map((u) => [u.id, u]));

  const rows: OrphanRow[] = p.orphans.map((o) => {
    const record = o.kind === 'agent' ? agents.get(o.haloId) : haloUsers.get(o.haloId);
    const email = record ? str(o.kind === 'agent' ? record.fields.email : record.fields.emailaddress) : null;
    const user = o.kind === 'user' ? haloUsers.get(o.haloId) : undefined;
    return {
      kind: o.kind,
      haloId: o.haloId,
      name: o.name,
      email,
      client: user?.clientId != null ? (clientName.get(user.clientId) ?? null) : null,
      site: user?.siteId != null ? (siteName.get(user.siteId) ?? null) : null,
      suggestions: suggestionsFor(o.name, email, users, near!),
    };
  });
  const byClient: Record<string, number> = {};
  for (const r of rows) {
    const k = r.kind === 'agent' ? 'agents' : (r.client ?? 'no client');
    byClient[k] = (byClient[k] ?? 0) + 1;
  }
  return { rows, agents: rows.filter((r) => r.kind === 'agent').length, users: rows.filter((r) => r.kind === 'user').length, byClient };
}

function suggestionsFor(name: string, email: string | null, users: DirectoryUser[], near: NearEmails): string[] {
  const out = new Map<string, string>();
  const label = (u: DirectoryUser) => String(u.attrs.userPrincipalName ?? u.attrs.mail ?? u.id);
  if (email) {
    const e = email.toLowerCase();
    for (const [u, why] of near.of(e)) if (!out.has(label(u))) out.set(label(u), `${label(u)} (${why})`);
  }
  const n = name.trim().toLowerCase();
  if (n) {
    for (const u of users) {
      if (!out.has(label(u)) && String(u.attrs.displayName ?? '').trim().toLowerCase() === n) out.set(label(u), `${label(u)} (same display name${u.enabled ? '' : ', disabled in Entra'})`);
    }
  }
  return [...out.values()].sort().slice(0, 5);
}

/**
 * Entra accounts whose email is one edit from a given one (a typo, a swapped pair of letters), or
 * the same before the @ at another domain: found through an index of every one-letter deletion,
 * so an orphan costs a few lookups rather than a comparison with every account.
 */
class NearEmails {
  private readonly deletions = new Map<string, DirectoryUser[]>();
  private readonly locals = new Map<string, Array<{ domain: string; user: DirectoryUser }>>();

  constructor(users: DirectoryUser[]) {
    for (const u of users) {
      for (const e of emailsOf(u)) {
        for (const d of [e, ...deletionsOf(e)]) (this.deletions.get(d) ?? this.deletions.set(d, []).get(d)!).push(u);
        const [local, domain] = e.split('@');
        (this.locals.get(local) ?? this.locals.set(local, []).get(local)!).push({ domain, user: u });
      }
    }
  }

  of(email: string): Array<[DirectoryUser, string]> {
    const out: Array<[DirectoryUser, string]> = [];
    const [local, domain] = email.split('@');
    for (const { domain: d, user } of this.locals.get(local) ?? []) if (d !== domain) out.push([user, 'same name, other domain']);
    const seen = new Set<DirectoryUser>();
    for (const key of [email, ...deletionsOf(email)]) {
      for (const u of this.deletions.get(key) ?? []) {
        if (seen.has(u)) continue;
        seen.add(u);
        const d = Math.min(...emailsOf(u).map((e) => editDistance(e, email)));
        if (d === 1) out.push([u, 'email differs by one letter']);
      }
    }
    return out;
  }
}

function deletionsOf(s: string): string[] {
  return Array.from({ length: s.length }, (_, i) => s.slice(0, i) + s.slice(i + 1));
}

function emailsOf(u: DirectoryUser): string[] {
  return [u.attrs.mail, u.attrs.userPrincipalName].filter((v): v is string => typeof v === 'string' && v.includes('@')).map((v) => v.toLowerCase());
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}
