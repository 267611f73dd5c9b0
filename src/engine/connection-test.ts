// Test Connections, for both faces (`halo-identity test` and the VS Code command): who Halo signs
// in as and whether that agent may read and write what the mapping manages; what each directory
// connection's credentials may read. Every check says what is missing and how to fix it.
import { directoryNamed } from '../core/directories';
import { directoryNeeds, haloNeeds } from '../core/needs';
import { hostOf } from '../core/urls';
import type { Mapping } from '../core/mapping';
import type { Log } from '../halo/transport';
import type { Connections } from './connections';

export interface ConnectionCheck {
  /** `halo`, or the directory's list key (`entra`, `okta`, …). */
  side: string;
  /** How people name that system: "Halo", "Entra". */
  system: string;
  name: string;
  ok: boolean;
  /** What was found, in a line. */
  detail: string;
  /** Permissions or rights the mapping needs and the credentials lack. */
  missing: string[];
  /** What to do about it, in words; empty when ok. */
  fix: string;
}

type HaloList = Parameters<Connections['halo']['canRead']>[0];

/** The Halo lists the mapping reads, each with the scope that writes it ([I] halo-api.md: no edit:agents; admin or all). */
function haloRights(mapping: Mapping): Array<{ list: HaloList; what: string; write: string[] }> {
  const needs = haloNeeds(mapping);
  const out: Array<{ list: HaloList; what: string; write: string[] }> = [];
  if (mapping.agents?.length) out.push({ list: 'Agent', what: 'agents', write: ['all', 'admin'] });
  if (needs.teams) out.push({ list: 'Team', what: 'teams', write: ['all', 'admin'] });
  if (needs.agentRoles) out.push({ list: 'Roles', what: 'agent roles', write: ['all', 'admin'] });
  if (mapping.users?.length) {
    out.push({ list: 'Users', what: 'users', write: ['all', 'admin', 'edit:customers'] });
    out.push({ list: 'Site', what: 'sites', write: ['all', 'admin', 'edit:customers'] });
    out.push({ list: 'Client', what: 'clients', write: ['all', 'admin', 'edit:customers'] });
  }
  if (needs.userRoles) out.push({ list: 'UserRoles', what: 'user roles', write: ['all', 'admin', 'edit:customers'] });
  if (needs.cabs) out.push({ list: 'CAB', what: 'CABs', write: ['all', 'admin'] });
  return out;
}

async function haloCheck(conns: Connections): Promise<ConnectionCheck> {
  const name = hostOf(conns.mapping.halo.url);
  let me: { id: number; name: string; scope: string };
  try {
    me = await conns.halo.whoAmI();
  } catch (e) {
    return { side: 'halo', system: 'Halo', name, ok: false, detail: messageOf(e), missing: [], fix: 'Check halo.url, the client id and secret, and that the API application is active (Configuration → Integrations → Halo API).' };
  }
  const scopes = me.scope.split(/\s+/).filter(Boolean);
  const missing: string[] = [];
  const unreadable: string[] = [];
  for (const right of haloRights(conns.mapping)) {
    const refused = await conns.halo.canRead(right.list);
    if (refused) unreadable.push(`${right.what} (GET /api/${right.list}: ${refused.status})`);
    // A token that names no scope was granted what the application allows: only reads can tell.
    if (scopes.length && !right.write.some((s) => scopes.includes(s))) missing.push(`write ${right.what} (scope ${right.write.filter((s) => s !== 'all').join(' or ')})`);
  }
  missing.unshift(...unreadable.map((u) => `read ${u}`));
  const detail = `signed in as "${me.name}" (agent ${me.id}), scope "${me.scope || '(none named)'}"${missing.length ? `; cannot ${missing.join(', ')}` : '; may read and write what the mapping manages'}`;
  const fix = missing.length
    ? `Give the API application the scope "all" (or the ones named) and make sure its login agent "${me.name}" has a role allowing it to manage agents, users, sites and CABs; Halo applies both the application's and the agent's permissions.`
    : '';
  return { side: 'halo', system: 'Halo', name, ok: missing.length === 0, detail, missing, fix };
}

async function directoryChecks(conns: Connections, signal: AbortSignal | undefined, log: Log | undefined): Promise<ConnectionCheck[]> {
  const needs = directoryNeeds(conns.mapping);
  return Promise.all(
    conns.directories.map(async (conn): Promise<ConnectionCheck> => {
      const check = await conn.checkAccess(needs.find((n) => n.tenant === conn.name)!, { signal, log });
      return { side: conn.source, system: directoryNamed(conn.source)?.label ?? conn.source, name: conn.name, ok: check.ok, detail: check.detail, missing: check.missing, fix: check.fix };
    }),
  );
}

export async function testConnections(conns: Connections, opts: { signal?: AbortSignal; log?: Log } = {}): Promise<ConnectionCheck[]> {
  const [halo, directories] = await Promise.all([haloCheck(conns), directoryChecks(conns, opts.signal, opts.log)]);
  return [halo, ...directories];
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
