// Small inline Graph tenants and connections for the Entra reader's integration tests.
import type { DirectoryNeeds } from '../../src/core/needs';
import type { ResolvedEntraConnection } from '../../src/sources/entra';
import { HttpClient } from '../../src/net/http';
import type { GraphSim } from '../../src/sim/graph/server';
import type { GraphTenant, GraphUser } from '../../src/sim/state';
import { makeCertificate, TlsMaterial } from '../../src/sim/tls';

/** A valid GUID from a number: stable and readable in failures. */
export function guid(n: number, kind = 0): string {
  return `${String(kind).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
export const SECRET = 'Qx8~sim-secret-value-4711';

export function user(n: number, extra: Record<string, unknown> = {}): GraphUser {
  return {
    id: guid(n, 1),
    displayName: `User ${n}`,
    givenName: 'User',
    surname: String(n),
    mail: `user${n}@contoso.com`,
    userPrincipalName: `user${n}@contoso.com`,
    jobTitle: 'Engineer',
    department: n % 2 ? 'Support' : 'Sales',
    officeLocation: 'Leeds',
    businessPhones: [`+44 113 000 ${String(n).padStart(4, '0')}`],
    accountEnabled: true,
    userType: 'Member',
    ...extra,
  };
}

export function tenant(users: number | GraphUser[], extra: Partial<GraphTenant> = {}): GraphTenant {
  return {
    tenantId: TENANT_ID,
    clientId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
    clientSecret: SECRET,
    users: typeof users === 'number' ? Array.from({ length: users }, (_, i) => user(i + 1)) : users,
    groups: [],
    devices: [],
    managers: {},
    ...extra,
  };
}

let tls: Promise<TlsMaterial> | undefined;
/** One server certificate per test process (key generation takes a moment). */
export function simTls(): Promise<TlsMaterial> {
  return (tls ??= makeCertificate());
}

export async function trustingClient(): Promise<HttpClient> {
  return new HttpClient({ ca: [(await simTls()).cert] });
}

export function connection(sim: GraphSim, t: GraphTenant, extra: Partial<ResolvedEntraConnection> = {}): ResolvedEntraConnection {
  return {
    name: 'contoso',
    tenantId: t.tenantId,
    clientId: t.clientId,
    clientSecret: t.clientSecret,
    cloud: { loginUrl: sim.loginUrl, graphUrl: sim.graphUrl },
    ...extra,
  };
}

export function needs(extra: Partial<DirectoryNeeds> = {}): DirectoryNeeds {
  return { tenant: 'contoso', attributes: ['accountEnabled', 'displayName', 'id', 'mail', 'userPrincipalName', 'userType'], groups: [], manager: false, managerAttributes: [], ...extra };
}

/** A Graph token straight from the simulated token endpoint, for raw requests. */
export async function rawToken(http: HttpClient, sim: GraphSim, t: GraphTenant): Promise<string> {
  const res = await http.request({
    method: 'POST',
    url: `${sim.loginUrl}/${t.tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: t.clientId, client_secret: t.clientSecret, scope: `${sim.graphUrl}/.default` }).toString(),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${res.text}`);
  return (JSON.parse(res.text) as { access_token: string }).access_token;
}

export async function graphGet(http: HttpClient, url: string, token?: string): Promise<{ status: number; headers: Record<string, string>; body: any }> {
  const res = await http.request({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: JSON.parse(res.text) };
}

/** Log lines, to check what was said (and that no secret was). */
export function logSink(): { lines: string[]; log: (level: string, msg: string) => void } {
  const lines: string[] = [];
  return { lines, log: (level, msg) => lines.push(`${level}: ${msg}`) };
}
