// Simulated IdPs that push over SCIM: what Entra's provisioning service and Okta send, request by
// request, as scim.md §2 and §3 document them (with and without Entra's aadOptscim062020 flag).
// The demo and the tests drive the bridge with them; they speak HTTP to it and share no code with it.

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a SCIM answer, read as the IdP reads it
  body: any;
  headers: Headers;
}

export class ScimClient {
  requests = 0;

  constructor(
    readonly base: string,
    private readonly authorization: () => Promise<string> | string,
  ) {}

  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    this.requests++;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { Authorization: await this.authorization(), Accept: 'application/scim+json', ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }
}

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface IdpUser {
  /** Entra: the objectId (what externalId carries by the documented mapping: mailNickname). */
  objectId: string;
  upn: string;
  mail: string;
  givenName: string;
  surname: string;
  department?: string;
  title?: string;
}

const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;
const patch = (ops: unknown[]) => ({ schemas: [PATCH_OP], Operations: ops });

/** Entra's provisioning service (EDD use-scim; scim.md §2.2, §2.3). */
export class EntraProvisioning {
  /** Entra keeps the id the bridge returned and uses it from then on. */
  readonly ids = new Map<string, string>();
  readonly groupIds = new Map<string, string>();

  constructor(
    readonly client: ScimClient,
    /** aadOptscim062020 on the Tenant URL: the RFC-conformant forms. */
    readonly flag = false,
  ) {}

  /** Test Connection: a random GUID as userName, expecting 200 and an empty list; then a group probe. */
  async testConnection(): Promise<Answer[]> {
    const guid = crypto.randomUUID();
    return [await this.client.send('GET', `/Users?${q(`userName eq "${guid}"`)}`), await this.client.send('GET', `/Groups?excludedAttributes=members&${q(`displayName eq "${guid}"`)}`)];
  }

  /** Match by userName, create if missing: a cycle run twice creates nothing twice. */
  async provision(u: IdpUser): Promise<string> {
    const found = await this.client.send('GET', `/Users?${q(`userName eq "${u.upn}"`)}`);
    if (found.status !== 200) throw new Error(`match ${u.upn}: HTTP ${found.status}`);
    if (found.body.totalResults > 0) {
      this.ids.set(u.objectId, found.body.Resources[0].id);
      return found.body.Resources[0].id;
    }
    const created = await this.client.send('POST', '/Users', {
      schemas: [CORE_USER, ENTERPRISE],
      externalId: u.upn.split('@')[0],
      userName: u.upn,
      active: true,
      emails: [{ primary: true, type: 'work', value: u.mail }],
      meta: { resourceType: 'User' },
      name: { formatted: `${u.givenName} ${u.surname}`, familyName: u.surname, givenName: u.givenName },
      ...(u.title ? { title: u.title } : {}),
      roles: [],
      ...(u.department ? { [ENTERPRISE]: { department: u.department } } : {}),
    });
    if (created.status !== 201) throw new Error(`create ${u.upn}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
    this.ids.set(u.objectId, created.body.id);
    return created.body.id;
  }

  async update(u: IdpUser, changes: { mail?: string; surname?: string; department?: string }): Promise<Answer> {
    const id = this.id(u);
    if (this.flag) {
      // One replace with no path, dotted and URN keys in its value.
      const value: Record<string, unknown> = {};
      if (changes.mail) value['emails[type eq "work"].value'] = changes.mail;
      if (changes.surname) value['name.familyName'] = changes.surname;
      if (changes.department) value[`${ENTERPRISE}:department`] = changes.department;
      return this.client.send('PATCH', `/Users/${id}`, patch([{ op: 'replace', value }]));
    }
    const ops: unknown[] = [];
    if (changes.mail) ops.push({ op: 'Replace', path: 'emails[type eq "work"].value', value: changes.mail });
    if (changes.surname) ops.push({ op: 'Replace', path: 'name.familyName', value: changes.surname });
    if (changes.department) ops.push({ op: 'Add', path: `${ENTERPRISE}:department`, value: changes.department });
    return this.client.send('PATCH', `/Users/${id}`, patch(ops));
  }

  async setManager(u: IdpUser, manager: IdpUser): Promise<Answer> {
    return this.client.send('PATCH', `/Users/${this.id(u)}`, patch([{ op: this.flag ? 'add' : 'Add', path: `${ENTERPRISE}:manager`, value: this.flag ? this.id(manager) : [{ $ref: null, value: this.id(manager) }] }]));
  }

  /** Unassigned, scoped out or soft-deleted: a string "False" without the flag, a boolean with it. */
  async disable(u: IdpUser): Promise<Answer> {
    return this.client.send('PATCH', `/Users/${this.id(u)}`, patch([this.flag ? { op: 'replace', path: 'active', value: false } : { op: 'Replace', path: 'active', value: 'False' }]));
  }

  async remove(u: IdpUser): Promise<Answer> {
    return this.client.send('DELETE', `/Users/${this.id(u)}`);
  }

  async read(u: IdpUser): Promise<Answer> {
    return this.client.send('GET', `/Users/${this.id(u)}`);
  }

  id(u: IdpUser): string {
    const id = this.ids.get(u.objectId);
    if (!id) throw new Error(`${u.upn} was never provisioned`);
    return id;
  }

  /** Match by displayName, else create with no members (Entra adds them by PATCH). */
  async group(objectId: string, displayName: string): Promise<string> {
    const found = await this.client.send('GET', `/Groups?excludedAttributes=members&${q(`displayName eq "${displayName}"`)}`);
    if (found.status !== 200) throw new Error(`match group ${displayName}: HTTP ${found.status}`);
    let id: string = found.body.Resources[0]?.id;
    if (!id) {
      const created = await this.client.send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], externalId: objectId, displayName });
      if (created.status !== 201) throw new Error(`create group ${displayName}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
      id = created.body.id;
    }
    this.groupIds.set(objectId, id);
    return id;
  }

  async addMembers(groupObjectId: string, members: IdpUser[]): Promise<Answer> {
    return this.client.send('PATCH', `/Groups/${this.groupIds.get(groupObjectId)}`, patch([{ op: this.flag ? 'add' : 'Add', path: 'members', value: members.map((m) => ({ $ref: null, value: this.id(m) })) }]));
  }

  async removeMember(groupObjectId: string, member: IdpUser): Promise<Answer> {
    const ops = this.flag ? [{ op: 'remove', path: `members[value eq "${this.id(member)}"]` }] : [{ op: 'Remove', path: 'members', value: [{ value: this.id(member) }] }];
    return this.client.send('PATCH', `/Groups/${this.groupIds.get(groupObjectId)}`, patch(ops));
  }

  async renameGroup(groupObjectId: string, displayName: string): Promise<Answer> {
    return this.client.send('PATCH', `/Groups/${this.groupIds.get(groupObjectId)}`, patch([{ op: this.flag ? 'replace' : 'Replace', path: 'displayName', value: displayName }]));
  }
}

/** Okta's App Integration Wizard app: GET then a full PUT for every update, Group Push (ODD). */
export class OktaProvisioning {
  readonly ids = new Map<string, string>();

  constructor(readonly client: ScimClient) {}

  async provision(u: IdpUser): Promise<string> {
    const found = await this.client.send('GET', `/Users?${q(`userName eq "${u.upn}"`)}&startIndex=1&count=100`);
    if (found.body.totalResults > 0) {
      this.ids.set(u.objectId, found.body.Resources[0].id);
      return found.body.Resources[0].id;
    }
    const created = await this.client.send('POST', '/Users', {
      schemas: [CORE_USER],
      userName: u.upn,
      name: { givenName: u.givenName, familyName: u.surname },
      emails: [{ primary: true, value: u.mail, type: 'work' }],
      displayName: `${u.givenName} ${u.surname}`,
      locale: 'en-US',
      externalId: u.objectId,
      groups: [],
      password: 'Okta-sends-a-password-1!',
      active: true,
    });
    if (created.status !== 201) throw new Error(`create ${u.upn}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
    this.ids.set(u.objectId, created.body.id);
    return created.body.id;
  }

  /** Every update: the user as Okta has it, PUT whole after a GET. */
  async put(u: IdpUser, change: Record<string, unknown>): Promise<Answer> {
    const id = this.ids.get(u.objectId) as string;
    const current = await this.client.send('GET', `/Users/${id}`);
    return this.client.send('PUT', `/Users/${id}`, { ...current.body, ...change });
  }

  async pushGroup(displayName: string, members: IdpUser[]): Promise<string> {
    const created = await this.client.send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: [] });
    if (created.status !== 201) throw new Error(`push group ${displayName}: HTTP ${created.status}`);
    const id = created.body.id as string;
    // Group push sends the name with every membership change, and the members.
    await this.client.send('PATCH', `/Groups/${id}`, patch([{ op: 'replace', value: { id, displayName } }, { op: 'add', path: 'members', value: members.map((m) => ({ value: this.ids.get(m.objectId), display: m.upn })) }]));
    return id;
  }
}

/** People for a push: deterministic, unique per prefix. */
export function people(n: number, prefix = 'person', domain = 'fabrikam.example'): IdpUser[] {
  return Array.from({ length: n }, (_, i) => ({
    objectId: `${prefix}-${String(i).padStart(5, '0')}-0000-4000-8000-000000000000`,
    upn: `${prefix}.${i}@${domain}`,
    mail: `${prefix}.${i}@${domain}`,
    givenName: `${prefix[0].toUpperCase()}${prefix.slice(1)}`,
    surname: `Number${i}`,
    department: i % 3 === 0 ? 'Sales' : 'Support',
    title: i % 5 === 0 ? 'Team Lead' : 'Associate',
  }));
}
