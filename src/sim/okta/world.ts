// A seeded Okta org: a customer's staff with every user status Okta has, profile attributes
// (standard and one custom), managers named by login in managerId, and groups; plus the Halo
// contacts an MSP already holds for part of them (matched by email: Okta users carry no azureoid).
import { generateKeyPairSync } from 'node:crypto';
import type { HaloRecord, HaloState } from '../state';
import { rng } from '../world';
import type { OktaGroupRecord, OktaOrg, OktaUserRecord } from './state';

export interface OktaWorldOptions {
  users: number;
  seed?: number;
  domain?: string;
}

export const OKTA_GROUPS = { staff: 'Customer Staff', managers: 'Customer Managers', approvers: 'Customer Approvers' };

const GIVEN = ['Amir', 'Beth', 'Cora', 'Dan', 'Eve', 'Femi', 'Gus', 'Hana', 'Ivo', 'Jo', 'Kit', 'Lou', 'Mo', 'Nia', 'Oz', 'Pia'];
const SURNAMES = ['Abbott', 'Byrne', 'Cole', 'Dunn', 'Ellis', 'Ford', 'Gale', 'Hart', 'Ince', 'Judd', 'Kerr', 'Lowe'];
const DEPARTMENTS = ['Sales', 'Finance', 'Operations', 'Support'];
const CITIES = ['Reading', 'Reading', 'Bath', 'York'];

/** Status shares: mostly active, some of every other state, so every mapping of a status is exercised. */
const STATUSES: Array<[string, number]> = [['ACTIVE', 0.8], ['PROVISIONED', 0.04], ['STAGED', 0.03], ['RECOVERY', 0.02], ['PASSWORD_EXPIRED', 0.02], ['LOCKED_OUT', 0.02], ['SUSPENDED', 0.03], ['DEPROVISIONED', 0.04]];

export function generateOktaOrg(options: OktaWorldOptions): OktaOrg {
  const r = rng(options.seed ?? 11);
  const domain = options.domain ?? 'fabrikam.example';
  const id = (prefix: string) => `00${prefix}${Array.from({ length: 17 }, () => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[Math.floor(r() * 62)]).join('')}`;
  const stamp = (daysAgo: number) => new Date(Date.UTC(2026, 10, 1) - daysAgo * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '.000Z');
  const pickStatus = () => {
    let x = r();
    for (const [s, p] of STATUSES) if ((x -= p) < 0) return s;
    return 'ACTIVE';
  };
  const users: OktaUserRecord[] = [];
  for (let i = 0; i < options.users; i++) {
    const given = GIVEN[Math.floor(r() * GIVEN.length)];
    const surname = SURNAMES[Math.floor(r() * SURNAMES.length)];
    const login = `${given}.${surname}${i}@${domain}`.toLowerCase();
    const status = i < 3 ? 'ACTIVE' : pickStatus();
    users.push({
      id: id('u'),
      status,
      created: stamp(400 - (i % 300)),
      activated: status === 'STAGED' ? null : stamp(390 - (i % 300)),
      statusChanged: stamp(30 + (i % 60)),
      lastLogin: status === 'ACTIVE' && i % 7 !== 3 ? stamp(i % 90) : null,
      lastUpdated: stamp(10 + (i % 40)),
      passwordChanged: null,
      type: { id: 'oty00000000000000001' },
      profile: {
        login,
        email: login,
        firstName: given,
        lastName: surname,
        // Okta does not fill displayName itself; many orgs leave it empty.
        ...(i % 4 === 0 ? {} : { displayName: `${given} ${surname}` }),
        title: i % 10 === 0 ? 'Manager' : 'Associate',
        department: DEPARTMENTS[i % DEPARTMENTS.length],
        city: CITIES[Math.floor(r() * CITIES.length)],
        employeeNumber: `E${1000 + i}`,
        // A custom attribute of the org's own profile schema.
        customerTier: i % 3 === 0 ? 'Gold' : 'Standard',
      },
    });
  }
  // Managers: every tenth user manages the next nine, named by login (as most orgs fill managerId) or employee number.
  users.forEach((u, i) => {
    const boss = users[Math.floor(i / 10) * 10];
    if (boss && boss !== u) u.profile.managerId = i % 2 ? boss.profile.login : boss.profile.employeeNumber;
  });
  const group = (name: string, members: OktaUserRecord[]): OktaGroupRecord => ({
    id: id('g'),
    created: stamp(500),
    lastUpdated: stamp(100),
    lastMembershipUpdated: stamp(5),
    objectClass: ['okta:user_group'],
    type: 'OKTA_GROUP',
    profile: { name, description: null },
    members: members.map((m) => m.id),
  });
  const groups = [
    group(OKTA_GROUPS.staff, users.filter((_, i) => i % 19 !== 7)),
    group(OKTA_GROUPS.managers, users.filter((_, i) => i % 10 === 0)),
    group(OKTA_GROUPS.approvers, users.filter((_, i) => i % 25 === 0)),
    group('Everyone', users),
  ];
  groups[3].type = 'BUILT_IN';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientId = `0oa${id('x').slice(3)}`;
  const apiToken = `00${Array.from({ length: 40 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(r() * 36)]).join('')}`;
  return {
    credentials: { apiToken, clientId, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    apiTokens: [apiToken],
    serviceApps: [{ clientId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), scopes: ['okta.users.read', 'okta.groups.read'] }],
    users,
    groups,
  };
}

/**
 * The MSP's Halo already holds part of the customer's staff as users of `client`/`site`, by email
 * only (no azureoid: nothing links them to Okta), some with a stale title, plus one contact Okta
 * no longer has.
 */
export function addOktaContacts(halo: HaloState, org: OktaOrg, opts: { clientId: number; siteId: number; share?: number; seed?: number }): void {
  const r = rng(opts.seed ?? 5);
  const client = halo.clients.find((c) => c.id === opts.clientId)!;
  const site = halo.sites.find((s) => s.id === opts.siteId)!;
  let next = Math.max(0, ...halo.users.map((u) => u.id)) + 1;
  const add = (fields: Partial<HaloRecord>) =>
    halo.users.push({ id: next++, site_id: site.id, site_name: site.name, client_id: client.id, client_name: client.name, inactive: false, azureoid: null, roles: [], customfields: [], ...fields });
  org.users.forEach((u, i) => {
    if (r() > (opts.share ?? 0.5)) return;
    const p = u.profile;
    add({ name: p.displayName ?? `${p.firstName} ${p.lastName}`, firstname: p.firstName, surname: p.lastName, emailaddress: i % 6 === 1 ? String(p.email).toUpperCase() : p.email, title: i % 8 === 3 ? 'Previous Title' : p.title });
  });
  add({ name: 'Gone Contact', emailaddress: 'gone.contact@fabrikam.example' });
}
