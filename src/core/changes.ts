// The plan: what would change in Halo and why. Serialised as the plan JSON of DESIGN.md §3.

export type Action = 'create' | 'update' | 'deactivate' | 'reactivate' | 'createSite';
export type ChangeKind = 'agent' | 'user' | 'site';
export const ACTIONS: Action[] = ['createSite', 'create', 'update', 'reactivate', 'deactivate'];

export interface FieldChange {
  from: unknown;
  to: unknown;
}

export interface MembershipDelta {
  add: string[];
  remove: string[];
  /** For each name added, the mapping entries that grant it, e.g. "SG-Halo-Admins → roles[0]". */
  why?: Record<string, string>;
}

/** A CAB seat kept whose CAB role differs from the mapping's `cab[].role`. */
export interface CabRoleChange {
  cab: string;
  from: string | null;
  to: string;
}

export interface CabDelta extends MembershipDelta {
  /** Seats kept, their CAB role changed. */
  role?: CabRoleChange[];
}

export interface Memberships {
  roles?: MembershipDelta;
  teams?: MembershipDelta;
  cabs?: CabDelta;
}

/** Whether a CAB delta changes anything: seats taken or left, or roles changed. */
export function cabDeltaChanges(d: CabDelta | undefined): boolean {
  return !!d && (d.add.length > 0 || d.remove.length > 0 || (d.role?.length ?? 0) > 0);
}

export interface Change {
  action: Action;
  kind: ChangeKind;
  entraId: string | null;
  /** The Entra connection the identity comes from (null for orphans and sites). */
  tenant: string | null;
  haloId: number | null;
  name: string;
  rule: string | null;
  reason: string;
  /** Halo field name → from/to. Custom fields by CF name; agent licence as `licence`. */
  fields: Record<string, FieldChange>;
  memberships?: Memberships;
  /** Users: the site they belong in, by name under its client (id null until created). */
  site?: { clientId: number; clientName: string; name: string; id: number | null };
}

export interface Orphan {
  kind: 'agent' | 'user';
  haloId: number;
  name: string;
}

export interface PlanError {
  entraId: string | null;
  tenant?: string | null;
  kind?: 'agent' | 'user' | 'site';
  haloId?: number | null;
  name?: string;
  rule?: string | null;
  message: string;
}

export interface Blocked {
  reason: string;
  limit: 'maxDeactivations' | 'maxChanges' | 'minEntraUsers';
  value: number;
}

export interface Summary {
  create: number;
  update: number;
  deactivate: number;
  reactivate: number;
  createSite: number;
  unchanged: number;
}

export interface Plan {
  version: 1;
  summary: Summary;
  changes: Change[];
  orphans: Orphan[];
  errors: PlanError[];
  blocked: Blocked | null;
  /** Things an admin should read before applying (detail reads made, list rows lacking fields…). */
  warnings: string[];
  /** Per rule: how many identities it selected, for CodeLens and the panel. */
  rules: RuleStats[];
}

export interface RuleStats {
  kind: 'agent' | 'user';
  rule: string;
  matched: number;
  create: number;
  update: number;
  reactivate: number;
  deactivate: number;
}

/** A stable key for a change, the same across re-plans of the same inputs (for selection in the panel). */
export function changeKey(c: Pick<Change, 'action' | 'kind' | 'entraId' | 'haloId' | 'name' | 'tenant'>): string {
  return [c.action, c.kind, c.tenant ?? '', c.entraId ?? '', c.haloId ?? '', c.kind === 'site' ? c.name.toLowerCase() : ''].join('|');
}

/** A plan made of given changes (a revert, an access review): in apply order, counted, nothing else. */
export function planOf(changes: Change[], warnings: string[] = []): Plan {
  const sorted = [...changes].sort((a, b) => ACTIONS.indexOf(a.action) - ACTIONS.indexOf(b.action) || (a.haloId ?? 0) - (b.haloId ?? 0));
  const summary: Summary = { create: 0, update: 0, deactivate: 0, reactivate: 0, createSite: 0, unchanged: 0 };
  for (const c of sorted) summary[c.action]++;
  return { version: 1, summary, changes: sorted, orphans: [], errors: [], blocked: null, warnings, rules: [] };
}
