// The simulators' data: what a Graph tenant and a Halo instance hold. Records are stored in the
// services' own wire shapes (Graph property names, Halo field names) so the servers serve them as-is.
import type { GoogleCustomer } from './google/state';
import type { OktaOrg } from './okta/state';

/** A Graph user with every property the simulator knows (Graph names, e.g. accountEnabled, officeLocation). */
export type GraphUser = { id: string } & Record<string, unknown>;

export interface GraphGroup {
  id: string;
  displayName: string;
  /** Direct members: ids of users, groups or devices in this tenant. */
  members: string[];
}

export interface GraphDevice {
  id: string;
  displayName: string;
}

export interface GraphTenant {
  tenantId: string;
  /** The client credentials the login endpoint accepts for this tenant. */
  clientId: string;
  clientSecret: string;
  /** Optional certificate credential: the app's public certificate (PEM) and its SHA-256 thumbprint (hex). */
  certificatePem?: string;
  users: GraphUser[];
  groups: GraphGroup[];
  devices: GraphDevice[];
  /** user id → manager's user id */
  managers: Record<string, string>;
}

/** A Halo record as Halo stores it (Users / Uname / Site / Area … schema field names). */
export type HaloRecord = { id: number } & Record<string, unknown>;

export interface HaloState {
  clientId: string;
  clientSecret: string;
  /** Hosted instances take ?tenant= on the token request; null for self-hosted. */
  tenant: string | null;
  users: HaloRecord[];
  agents: HaloRecord[];
  sites: HaloRecord[];
  clients: HaloRecord[];
  /** Agent roles (NHD_Roles: id is a GUID string, id_int a number). */
  roles: Array<{ id: string; id_int: number; name: string } & Record<string, unknown>>;
  /** End-user roles (UserRoles: integer ids). */
  userRoles: HaloRecord[];
  teams: HaloRecord[];
  cabs: HaloRecord[];
  /** Custom field definitions (FieldInfo); when absent, every field some record carries. */
  customFields?: Array<{ id: number; name: string }>;
}

export interface World {
  graph: GraphTenant[];
  halo: HaloState;
  /** Okta orgs (a mixed world: customers' directories beside the Entra staff tenant). */
  okta?: OktaOrg[];
  /** Google Workspace customers. */
  google?: GoogleCustomer[];
}
