// What the readers hand to the planner: both sides, normalised into the planner's terms.
// Wire details (Halo ids, licence numbers, body shapes) stay in src/halo and src/sources.

/** One person in a directory, in the planner's terms whichever directory it came from. */
export interface DirectoryUser {
  /** The directory's stable id of the user (Entra object id, Okta user id, …). */
  id: string;
  /** Whether the account is active in its directory (false: disabled, suspended, deactivated). */
  enabled: boolean;
  /** A guest or external account: rules leave it out unless they ask for guests. */
  guest: boolean;
  /** The name, email and sign-in name as the directory gives them (null: none), for naming and matching. */
  name: string | null;
  email: string | null;
  login: string | null;
  /** Every attribute read, under the directory's own name (displayName, mail, businessPhones…). */
  attrs: Record<string, unknown>;
  /** The manager's id in the same directory (null: none). Absent when no rule needed managers. */
  managerId?: string | null;
}

export interface DirectoryGroup {
  /** How the mapping names the group: its name or its id. */
  ref: string;
  id: string;
  displayName: string;
  /** Members that are users, transitively where the directory's groups nest (devices and contacts dropped). */
  memberIds: string[];
}

/** One connection's read: every user with the mapping's attributes, and the groups it names. */
export interface DirectoryTenant {
  /** The connection name from the mapping (`entra[].name`, `okta[].name`, …: what `tenant:` names). */
  tenant: string;
  users: DirectoryUser[];
  groups: DirectoryGroup[];
  /**
   * Attributes the mapping uses that this source would not give (a permission the credentials
   * lack): not "empty". The Halo fields filled from them are left as they are.
   */
  unreadAttributes?: string[];
}

export interface DirectorySnapshot {
  tenants: DirectoryTenant[];
}

/** A Halo end-user record. `undefined` means "not known" (list row lacked it), never "empty". */
export interface HaloUser {
  id: number;
  name: string | null;
  clientId: number | null;
  siteId: number | null;
  inactive: boolean;
  azureoid: string | null | undefined;
  /** Names of the user's end-user roles. */
  roles: string[] | undefined;
  /** Halo field name → value; custom fields flattened under their CF name. */
  fields: Record<string, unknown>;
}

export interface HaloAgent {
  id: number;
  name: string | null;
  disabled: boolean;
  isApiAgent: boolean;
  /** Default team name. */
  team: string | null;
  teams: string[] | undefined;
  roles: string[] | undefined;
  /** 'named' | 'concurrent' | another wire value as a string; undefined when unknown. */
  licence: string | undefined;
  fields: Record<string, unknown>;
}

export interface HaloSite {
  id: number;
  name: string;
  clientId: number;
  inactive: boolean;
}

export interface HaloClient {
  id: number;
  name: string;
  inactive: boolean;
}

export interface HaloNamed {
  id: string | number;
  name: string;
  /** Agent roles: the integer id beside the GUID (what Halo's `role=` filter takes). */
  idInt?: number;
}

export interface HaloCabMember {
  agentId: number | null;
  userId: number | null;
  role: string | null;
}

export interface HaloCab {
  id: number;
  name: string;
  members: HaloCabMember[];
  /** Names of the CAB's roles (for `cab[].role`). */
  roles: string[];
}

export interface HaloSnapshot {
  users: HaloUser[];
  agents: HaloAgent[];
  sites: HaloSite[];
  clients: HaloClient[];
  agentRoles: HaloNamed[];
  userRoles: HaloNamed[];
  teams: HaloNamed[];
  cabs: HaloCab[];
  /**
   * How the snapshot was read: detail reads made and anything the admin should know. `partialRoles`:
   * when records' roles are known only for some roles (read role by role), the names of those roles.
   */
  stats: { requests: number; detailReads: number; warnings: string[]; partialRoles?: { agent?: string[]; user?: string[] } };
}
