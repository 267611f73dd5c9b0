// What a simulated Google Workspace customer holds, in the Directory API's own wire shapes
// (directory-sources.md, Google Workspace).

/** A user resource as users.get returns it with projection=full. */
export type GoogleUserRecord = { id: string; primaryEmail: string; suspended: boolean } & Record<string, unknown>;

export interface GoogleMemberRecord {
  id: string;
  email: string;
  role: 'OWNER' | 'MANAGER' | 'MEMBER';
  type: 'USER' | 'GROUP' | 'CUSTOMER' | 'EXTERNAL';
  status: 'ACTIVE' | 'SUSPENDED' | 'UNKNOWN';
}

export interface GoogleGroupRecord {
  id: string;
  email: string;
  name: string;
  description: string;
  adminCreated: boolean;
  /** Direct members. */
  members: GoogleMemberRecord[];
}

export interface GoogleServiceAccount {
  clientEmail: string;
  /** The numeric client ID domain-wide delegation is granted to. */
  clientId: string;
  keyId: string;
  publicKeyPem: string;
}

export interface GoogleCustomer {
  customerId: string;
  domain: string;
  users: GoogleUserRecord[];
  /** Users deleted in the last 20 days (users.list with showDeleted=true). */
  deletedUsers: GoogleUserRecord[];
  groups: GoogleGroupRecord[];
  serviceAccounts: GoogleServiceAccount[];
  /** Domain-wide delegation: client ID → the scopes an administrator allowed it. */
  delegation: Record<string, string[]>;
  /** Simulator only: the JSON key a mapping uses (Google keeps only the public half). */
  credentials: { serviceAccountKey: string; subject: string };
}
