// Test Connections, for both faces (`halo-identity test` and the VS Code command): who Halo signs
// in as and whether that agent may read and write what the mapping manages; which Graph
// permissions each tenant's token carries. Every check says what is missing and how to fix it.
import { attributePermission } from '../core/entra-attributes';
import { entraNeeds, haloNeeds } from '../core/needs';
import { hostOf } from '../core/urls';
import type { Mapping } from '../core/mapping';
import { tokenInfo } from '../entra';
import { GRAPH_PERMISSIONS } from '../entra/scopes';
import type { Log } from '../halo/transport';
import type { Connections } from './connections';

export interface ConnectionCheck {
  side: 'halo' | 'entra';
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
    return { side: 'halo', name, ok: false, detail: messageOf(e), missing: [], fix: 'Check halo.url, the client id and secret, and that the API application is active (Configuration → Integrations → Halo API).' };
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
  return { side: 'halo', name, ok: missing.length === 0, detail, missing, fix };
}

async function entraChecks(conns: Connections, signal: AbortSignal | undefined, log: Log | undefined): Promise<ConnectionCheck[]> {
  const needs = entraNeeds(conns.mapping);
  return Promise.all(
    conns.entra.map(async (conn): Promise<ConnectionCheck> => {
      try {
        const info = await tokenInfo(conn, { http: conns.http, signal, log });
        const delegated = conn.delegated !== undefined;
        const granted = delegated ? info.scopes : info.roles;
        const extra = [...new Set((needs.find((n) => n.tenant === conn.name)?.attributes ?? []).map(attributePermission).filter((p): p is string => p !== undefined))];
        const needed = [...(granted.includes('Directory.Read.All') ? [] : GRAPH_PERMISSIONS), ...extra];
        const missing = needed.filter((p) => !granted.includes(p));
        const kind = delegated ? 'delegated permissions' : 'application permissions';
        return {
          side: 'entra',
          name: conn.name,
          ok: missing.length === 0,
          detail: `${kind}: ${granted.length ? granted.join(', ') : 'none'}${missing.length ? `; missing ${missing.join(' and ')}` : ''}`,
          missing,
          fix: missing.length
            ? `In Entra, App registrations → ${conn.clientId} → API permissions: add the Microsoft Graph ${delegated ? 'delegated' : 'application'} permission${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, then "Grant admin consent".`
            : '',
        };
      } catch (e) {
        return { side: 'entra', name: conn.name, ok: false, detail: messageOf(e), missing: [], fix: 'Check entra[].tenantId, clientId and the client secret or certificate.' };
      }
    }),
  );
}

export async function testConnections(conns: Connections, opts: { signal?: AbortSignal; log?: Log } = {}): Promise<ConnectionCheck[]> {
  const [halo, entra] = await Promise.all([haloCheck(conns), entraChecks(conns, opts.signal, opts.log)]);
  return [halo, ...entra];
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
