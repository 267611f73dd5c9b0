// What a simulated Okta org holds, in Okta's own wire shapes (directory-sources.md, Okta).

export interface OktaUserRecord {
  id: string;
  status: string;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  type: { id: string };
  profile: Record<string, unknown>;
}

export interface OktaGroupRecord {
  id: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  objectClass: string[];
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  profile: { name: string; description: string | null };
  /** Member user ids (Okta groups hold users only). */
  members: string[];
}

export interface OktaServiceApp {
  clientId: string;
  /** The public key (PEM) Okta holds for the app's private_key_jwt. */
  publicKeyPem: string;
  keyId?: string;
  /** Okta API scopes granted to the app. */
  scopes: string[];
}

export interface OktaOrg {
  /** Simulator only: the credentials a mapping uses against this org (Okta itself keeps no private key). */
  credentials: { apiToken: string; clientId: string; privateKeyPem: string };
  /** SSWS API tokens the org accepts. */
  apiTokens: string[];
  serviceApps: OktaServiceApp[];
  users: OktaUserRecord[];
  groups: OktaGroupRecord[];
}
