// A mixed world's mapping: the normative example (the MSP's own staff in Entra) plus a customer
// whose directory is Okta and a partner on Google Workspace, feeding one Halo. Made from the
// example, so the two never drift apart.
import { parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { EXAMPLE_MAPPING } from './example-mapping';
import { addGoogleContacts, generateGoogleCustomer, GOOGLE_GROUPS } from './google/world';
import { addOktaContacts, generateOktaOrg, OKTA_GROUPS } from './okta/world';
import type { World } from './state';
import { generateWorld, WorldOptions } from './world';

/** The connections' names in the mixed mapping. */
export const OKTA_CONNECTION = 'customers';
export const GOOGLE_CONNECTION = 'partners';

export function mixedMapping(base = EXAMPLE_MAPPING): string {
  const doc = parseDocument(base);
  // The okta: list right after entra:, as a person would write it.
  const root = doc.contents as YAMLMap;
  const at = root.items.findIndex((p) => String((p.key as { value?: unknown })?.value ?? p.key) === 'entra');
  root.items.splice(
    at + 1,
    0,
    doc.createPair('okta', [{ name: OKTA_CONNECTION, orgUrl: 'https://fabrikam.okta.com', clientId: '${env:OKTA_CLIENT_ID}', privateKey: '${env:OKTA_PRIVATE_KEY}' }]),
    doc.createPair('google', [{ name: GOOGLE_CONNECTION, subject: '${env:GOOGLE_SUBJECT}', serviceAccountKey: '${env:GOOGLE_SERVICE_ACCOUNT_KEY}' }]),
  );
  // With several directories every rule names the one it reads.
  for (const section of ['agents', 'users', 'roles', 'cab']) {
    const list = doc.get(section) as YAMLSeq<YAMLMap> | undefined;
    for (const item of list?.items ?? []) if (!item.has('tenant')) item.set('tenant', 'contoso');
  }
  (doc.get('users') as YAMLSeq).add(doc.createNode({ rule: 'customer-staff', source: OKTA_CONNECTION, from: { group: OKTA_GROUPS.staff }, client: 'Fabrikam', site: 'Fabrikam HQ', roles: ['End User'] }));
  (doc.get('users') as YAMLSeq).add(doc.createNode({ rule: 'partner-staff', source: GOOGLE_CONNECTION, from: { group: GOOGLE_GROUPS.staff }, client: 'Fabrikam', site: 'Fabrikam HQ' }));
  (doc.get('roles') as YAMLSeq).add(doc.createNode({ group: OKTA_GROUPS.approvers, source: OKTA_CONNECTION, userRoles: ['Approver'] }));
  // Fields apply to every directory: each list names Entra's attribute, then Okta's, then Google's.
  const both: Record<string, unknown> = {
    name: ['displayName', 'name.fullName', 'login'],
    firstname: ['givenName', 'firstName', 'name.givenName'],
    surname: ['surname', 'lastName', 'name.familyName'],
    emailaddress: ['mail', 'userPrincipalName', 'email', 'primaryEmail'],
    title: ['jobTitle', 'title', 'organizations.title'],
    phonenumber: ['businessPhones[0]', 'primaryPhone', 'phones.work'],
  };
  for (const [field, sources] of Object.entries(both)) doc.setIn(['fields', 'users', field], doc.createNode(sources, { flow: true }));
  doc.setIn(['safety', 'maxDeactivations'], '20%');
  return doc.toString();
}

/**
 * The example's world plus a customer's Okta org and a partner's Google Workspace (by default half
 * and a quarter as many people), both of which Halo partly holds under Fabrikam.
 */
export function mixedWorld(options: WorldOptions & { customers?: number; partners?: number }): World {
  const world = generateWorld({ anomalies: false, ...options });
  const org = generateOktaOrg({ users: options.customers ?? Math.max(20, Math.round(options.users / 2)), seed: (options.seed ?? 1) + 1000 });
  addOktaContacts(world.halo, org, { clientId: 2, siteId: 20, share: 0.4, seed: options.seed });
  const partner = generateGoogleCustomer({ users: options.partners ?? Math.max(20, Math.round(options.users / 4)), seed: (options.seed ?? 1) + 2000 });
  addGoogleContacts(world.halo, partner, { clientId: 2, siteId: 20, share: 0.4, seed: options.seed });
  return { ...world, okta: [org], google: [partner] };
}
