// The mapping file's shape after parsing and schema validation (schemas/halo-identity.schema.json
// is the source of truth; these types mirror it). Values of secrets stay as references here.

export interface HaloConnection {
  url: string;
  authUrl?: string;
  tenant?: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  pageSize?: number;
  batchSize?: number;
  rateLimit?: { requests: number; windowSeconds: number };
}

export interface TlsSettings {
  /** Extra certificate authorities (PEM file paths) trusted in addition to the system's. */
  caFiles?: string[];
}

/** Which directory identities a rule selects. All given conditions must hold. */
export interface Selector {
  group?: string;
  groups?: string[];
  where?: Record<string, string | number | boolean | null>;
  includeGuests?: boolean;
  /** Every user of the tenant (still subject to `where` and guest exclusion). */
  all?: boolean;
}

/** The connection an item reads: `tenant:`, or its clearer alias `source:` (one of the two, or neither when there is one connection). */
interface ReadsFrom {
  tenant?: string;
  source?: string;
}

interface RuleBase extends ReadsFrom {
  rule: string;
  from: Selector;
}

export type Licence = 'named' | 'concurrent' | 'unchanged';

export interface AgentRule extends RuleBase {
  team?: string;
  roles?: string[];
  licence?: Licence;
  /** The agents this rule selects are made (or kept) inactive: Halo's "roles that make agents inactive". */
  inactive?: boolean;
}

export interface UserRule extends RuleBase {
  /** The one Halo client of the rule's users; or `clientFrom`, each user's from a directory attribute. */
  client?: string;
  clientFrom?: string;
  clientDefault?: string;
  site?: string;
  siteFrom?: string;
  siteDefault?: string;
  createSites?: boolean;
  roles?: string[];
}

export interface RoleGrant extends ReadsFrom {
  group?: string;
  noManager?: boolean;
  agentRoles?: string[];
  userRoles?: string[];
  /** The agents this grant covers are made (or kept) inactive, whatever rule selects them. */
  inactive?: boolean;
}

export interface CabGrant extends ReadsFrom {
  group: string;
  cab: string;
  role?: string;
  /** Whether group members join as agents (default) or as users. */
  members?: 'agents' | 'users';
}

/** Halo field ← directory attribute: a name, a list (first non-empty), or the long form. */
export type FieldSource = string | string[];
export interface FieldLong {
  from?: FieldSource;
  default?: string | number | boolean | null;
  when?: 'always' | 'create';
}
export type FieldSpec = FieldSource | FieldLong;

export type MatchKeyUser = 'azureoid' | 'emailaddress' | 'login' | 'email2' | 'email3';
export type MatchKeyAgent = 'email' | 'ad' | 'name';

export interface ProtectEntry {
  email?: string;
  haloId?: number;
  kind?: 'agent' | 'user';
  entraId?: string;
}

export type Threshold = number | string;

export interface Mapping {
  version: 1;
  halo: HaloConnection;
  // The directory lists (entra:, okta:, …) are read through connectionsOf() in directories.ts.
  tls?: TlsSettings;
  match?: { users?: MatchKeyUser[]; agents?: MatchKeyAgent[] };
  agents?: AgentRule[];
  users?: UserRule[];
  roles?: RoleGrant[];
  cab?: CabGrant[];
  fields?: { users?: Record<string, FieldSpec>; agents?: Record<string, FieldSpec> };
  deprovision?: {
    users?: 'deactivate' | 'ignore';
    agents?: 'deactivate' | 'ignore';
    orphans?: 'report' | 'deactivate';
    /** What an agent made inactive keeps: its licence as it is (default), or a concurrent one, freeing the named. */
    agentLicence?: 'unchanged' | 'concurrent';
  };
  protect?: ProtectEntry[];
  safety?: { maxDeactivations?: Threshold; maxChanges?: Threshold; minEntraUsers?: string };
}

export const DEFAULT_MATCH_USERS: MatchKeyUser[] = ['azureoid', 'emailaddress'];
export const DEFAULT_MATCH_AGENTS: MatchKeyAgent[] = ['email'];
export const DEFAULT_PAGE_SIZE = 1000;
export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_RATE_LIMIT = { requests: 300, windowSeconds: 300 };

/** The CAB role a CAB's members get: the first `cab[]` grant of that CAB that names one. */
export function cabRoleOf(mapping: Mapping, cab: string): string | undefined {
  const key = cab.toLowerCase();
  return mapping.cab?.find((c) => c.cab.toLowerCase() === key && c.role !== undefined)?.role;
}
