// A mapping whose IdPs push over SCIM: the normative example (Contoso's staff read from Entra)
// plus two connections of the SCIM bridge — Entra's provisioning service and an Okta app — whose
// people become Fabrikam's users and service-desk agents. Made from the example, so the two
// never drift apart. The tokens and client secrets are the simulated IdPs' (SCIM_ENV).
import { parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { EXAMPLE_MAPPING } from './example-mapping';

export const SCIM_ENTRA = 'entra-push';
export const SCIM_OKTA = 'okta-push';
/** The client id Entra sends to the bridge's token endpoint (the blade's Client Identifier). */
export const ENTRA_CLIENT_ID = 'entra-provisioning';
/** The groups the IdPs push and the mapping names. */
export const SCIM_GROUPS = { staff: 'Fabrikam Staff', agents: 'Fabrikam Service Desk', approvers: 'Fabrikam Approvers' };

/** What the scim: references resolve to in the demo and the tests (simulator secrets only). */
export const SCIM_ENV: Record<string, string> = {
  SCIM_ENTRA_TOKEN: 'demo-entra-provisioning-token-0123456789abcdef',
  SCIM_ENTRA_TOKEN_NEXT: 'demo-entra-provisioning-token-next-0123456789',
  SCIM_ENTRA_CLIENT_SECRET: 'demo-entra-client-secret-0123456789abcdef012',
  SCIM_OKTA_TOKEN: 'demo-okta-provisioning-token-0123456789abcdef',
};

export function scimMapping(base = EXAMPLE_MAPPING): string {
  const doc = parseDocument(base);
  const root = doc.contents as YAMLMap;
  const at = root.items.findIndex((p) => String((p.key as { value?: unknown })?.value ?? p.key) === 'entra');
  root.items.splice(
    at + 1,
    0,
    doc.createPair('scim', [
      // Entra offers both: a Secret Token (here with its successor, mid-rotation) or client credentials.
      { name: SCIM_ENTRA, tokens: ['${env:SCIM_ENTRA_TOKEN}', '${env:SCIM_ENTRA_TOKEN_NEXT}'], clientId: ENTRA_CLIENT_ID, clientSecrets: ['${env:SCIM_ENTRA_CLIENT_SECRET}'] },
      // An Okta App Integration Wizard app sends a bearer token in its Authorization header.
      { name: SCIM_OKTA, tokens: ['${env:SCIM_OKTA_TOKEN}'] },
    ]),
  );
  for (const section of ['agents', 'users', 'roles', 'cab']) {
    const list = doc.get(section) as YAMLSeq<YAMLMap> | undefined;
    for (const item of list?.items ?? []) if (!item.has('tenant')) item.set('tenant', 'contoso');
  }
  const agents = doc.get('agents') as YAMLSeq;
  agents.add(doc.createNode({ rule: 'fabrikam-desk', source: SCIM_ENTRA, from: { group: SCIM_GROUPS.agents }, team: 'Service Desk', roles: ['Technician'], licence: 'named' }));
  const users = doc.get('users') as YAMLSeq;
  for (const source of [SCIM_ENTRA, SCIM_OKTA]) users.add(doc.createNode({ rule: `fabrikam-staff-${source}`, source, from: { group: SCIM_GROUPS.staff }, client: 'Fabrikam', site: 'Fabrikam HQ', roles: ['End User'] }));
  (doc.get('roles') as YAMLSeq).add(doc.createNode({ group: SCIM_GROUPS.approvers, source: SCIM_ENTRA, userRoles: ['Approver'] }));
  const fields: Record<string, string[]> = {
    name: ['displayName', 'name.formatted'],
    firstname: ['givenName', 'name.givenName'],
    surname: ['surname', 'name.familyName'],
    emailaddress: ['mail', 'userPrincipalName', 'emails.work', 'userName'],
    title: ['jobTitle', 'title'],
    phonenumber: ['businessPhones[0]', 'phoneNumbers.work'],
  };
  for (const [field, sources] of Object.entries(fields)) doc.setIn(['fields', 'users', field], doc.createNode(sources, { flow: true }));
  doc.setIn(['fields', 'agents', 'email'], doc.createNode(['mail', 'userPrincipalName', 'emails.work', 'userName'], { flow: true }));
  doc.setIn(['fields', 'agents', 'name'], doc.createNode(['displayName', 'name.formatted'], { flow: true }));
  doc.setIn(['safety', 'maxDeactivations'], '20%');
  return doc.toString();
}
