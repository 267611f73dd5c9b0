// A seeded Google Workspace customer: partner staff in organisational units, suspended and archived
// accounts, managers as `relations`, a custom schema, nested groups, a group the whole customer
// belongs to; a service account with domain-wide delegation and an administrator to act as.
import { generateKeyPairSync } from 'node:crypto';
import type { HaloState } from '../state';
import { rng } from '../world';
import type { GoogleCustomer, GoogleGroupRecord, GoogleMemberRecord, GoogleUserRecord } from './state';

export const GOOGLE_GROUPS = { staff: 'Partner Staff', sales: 'Partner Sales', support: 'Partner Support', leads: 'Partner Leads', everyone: 'All Partners' };
export const DIRECTORY_SCOPES = ['https://www.googleapis.com/auth/admin.directory.user.readonly', 'https://www.googleapis.com/auth/admin.directory.group.readonly'];

const GIVEN = ['Ari', 'Bea', 'Cal', 'Dot', 'Eli', 'Fay', 'Gil', 'Ivy', 'Jay', 'Kay', 'Lee', 'Max'];
const FAMILY = ['Ash', 'Birch', 'Cedar', 'Elm', 'Fir', 'Hazel', 'Larch', 'Oak', 'Pine', 'Rowan'];
const UNITS = ['/', '/Sales', '/Sales/EMEA', '/Support', '/Support'];

export function generateGoogleCustomer(options: { users: number; seed?: number; domain?: string }): GoogleCustomer {
  const r = rng(options.seed ?? 21);
  const domain = options.domain ?? 'partners.example';
  const id = (n: number) => `1${String(Math.floor(r() * 1e10)).padStart(10, '0')}${String(n).padStart(9, '0')}`;
  const users: GoogleUserRecord[] = [];
  for (let i = 0; i < options.users; i++) {
    const givenName = GIVEN[Math.floor(r() * GIVEN.length)];
    const familyName = FAMILY[Math.floor(r() * FAMILY.length)];
    const primaryEmail = `${givenName}.${familyName}${i}@${domain}`.toLowerCase();
    const unit = i === 0 ? '/' : UNITS[Math.floor(r() * UNITS.length)];
    users.push({
      kind: 'admin#directory#user',
      id: id(i),
      etag: `"e${i}"`,
      primaryEmail,
      name: { givenName, familyName, fullName: `${givenName} ${familyName}` },
      isAdmin: i === 0,
      isDelegatedAdmin: false,
      lastLoginTime: i % 9 === 4 ? '1970-01-01T00:00:00.000Z' : new Date(Date.UTC(2026, 10, 1) - (i % 60) * 86_400_000).toISOString(),
      creationTime: '2024-01-15T09:00:00.000Z',
      agreedToTerms: true,
      suspended: i > 1 && i % 19 === 3,
      ...(i > 1 && i % 19 === 3 ? { suspensionReason: 'ADMIN' } : {}),
      archived: i > 1 && i % 47 === 5,
      changePasswordAtNextLogin: false,
      ipWhitelisted: false,
      emails: [{ address: primaryEmail, primary: true }],
      ...(i % 3 ? { phones: [{ value: `+44 20 7946 ${String(i % 10000).padStart(4, '0')}`, type: 'work' }] } : {}),
      organizations: [{ title: i % 10 === 0 ? 'Lead' : 'Partner', department: unit.split('/')[1] || 'Office', primary: true, customType: '' }],
      customerId: 'C01abc234',
      orgUnitPath: unit,
      isMailboxSetup: true,
      includeInGlobalAddressList: true,
      customSchemas: { HR: { costCode: `CC-${100 + (i % 7)}` } },
    });
  }
  users.forEach((u, i) => {
    const boss = users[Math.floor(i / 10) * 10];
    if (boss !== u) u.relations = [{ value: boss.primaryEmail, type: 'manager' }];
  });
  const member = (u: GoogleUserRecord): GoogleMemberRecord => ({ id: u.id, email: u.primaryEmail, role: 'MEMBER', type: 'USER', status: u.suspended ? 'SUSPENDED' : 'ACTIVE' });
  let gid = 0;
  const group = (name: string, members: GoogleMemberRecord[]): GoogleGroupRecord => ({ id: `0${(++gid).toString(36)}${Math.floor(r() * 1e12).toString(36)}x`.slice(0, 15).padEnd(15, '0'), email: `${name.toLowerCase().replace(/ /g, '-')}@${domain}`, name, description: '', adminCreated: true, members });
  const sales = group(GOOGLE_GROUPS.sales, users.filter((u) => String(u.orgUnitPath).startsWith('/Sales')).map(member));
  const support = group(GOOGLE_GROUPS.support, users.filter((u) => u.orgUnitPath === '/Support').map(member));
  const groupMember = (g: GoogleGroupRecord): GoogleMemberRecord => ({ id: g.id, email: g.email, role: 'MEMBER', type: 'GROUP', status: 'UNKNOWN' });
  // Partner Staff holds the two unit groups and the people at the top level: only recursion finds them all.
  const staff = group(GOOGLE_GROUPS.staff, [groupMember(sales), groupMember(support), ...users.filter((u) => u.orgUnitPath === '/').map(member), { id: 'external-1', email: 'someone@elsewhere.example', role: 'MEMBER', type: 'EXTERNAL', status: 'UNKNOWN' }]);
  const leads = group(GOOGLE_GROUPS.leads, users.filter((_, i) => i % 10 === 0).map(member));
  const everyone = group(GOOGLE_GROUPS.everyone, [{ id: 'C01abc234', email: '', role: 'MEMBER', type: 'CUSTOMER', status: 'UNKNOWN' }]);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientId = `1${String(Math.floor(r() * 1e15)).padStart(20, '0')}`;
  const keyId = Math.floor(r() * 1e16).toString(16);
  const clientEmail = 'halo-identity@partner-sync.iam.gserviceaccount.com';
  const key = { type: 'service_account', project_id: 'partner-sync', private_key_id: keyId, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), client_email: clientEmail, client_id: clientId, token_uri: 'https://oauth2.googleapis.com/token' };
  return {
    customerId: 'C01abc234',
    domain,
    users,
    deletedUsers: [],
    groups: [staff, sales, support, leads, everyone],
    serviceAccounts: [{ clientEmail, clientId, keyId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
    delegation: { [clientId]: [...DIRECTORY_SCOPES] },
    credentials: { serviceAccountKey: JSON.stringify(key), subject: users[0].primaryEmail },
  };
}

/** The MSP's Halo holds part of the partners already, under `client`/`site`, by email only. */
export function addGoogleContacts(halo: HaloState, customer: GoogleCustomer, opts: { clientId: number; siteId: number; share?: number; seed?: number }): void {
  const r = rng(opts.seed ?? 9);
  const client = halo.clients.find((c) => c.id === opts.clientId)!;
  const site = halo.sites.find((s) => s.id === opts.siteId)!;
  let next = Math.max(0, ...halo.users.map((u) => u.id)) + 1;
  for (const u of customer.users) {
    if (r() > (opts.share ?? 0.4)) continue;
    const n = u.name as { fullName: string };
    halo.users.push({ id: next++, name: n.fullName, emailaddress: u.primaryEmail, site_id: site.id, site_name: site.name, client_id: client.id, client_name: client.name, inactive: false, azureoid: null, roles: [], customfields: [] });
  }
}
