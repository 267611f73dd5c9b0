// GET /users/delta and /groups/delta.
// Documented (MGD user-delta.md, group-delta.md, delta-query-overview.md): a round is followed
// through @odata.nextLink until a page carries @odata.deltaLink; query parameters live inside the
// tokens; a later call on the deltaLink returns only what changed since, deleted users as
// {id, @removed: {reason: changed | deleted}}, membership as members@delta; $deltatoken=latest
// starts from now; an expired token answers 410 Gone with a Location to restart from.
// Assumed: page size (100), the error code and wording of the 410, the manager@delta shape, and
// that a group's members@delta is never split across pages here.
import { randomUUID } from 'node:crypto';
import type { Reply } from './context';
import type { RemovalReason, SimTenant } from './directory';
import { groupRecord } from './groups';
import { GraphError, selected } from './odata';
import { GROUP_DEFAULT_PROPERTIES, ODATA_TYPE, project, USER_DEFAULT_PROPERTIES } from './properties';
import { GROUP_READ, GraphRequest, requireRole, USER_READ } from './request';

type Kind = 'users' | 'groups';

interface Entry {
  id: string;
  removed?: RemovalReason;
  members?: Array<{ memberId: string; removed: boolean }>;
}

interface Round {
  kind: Kind;
  tenantId: string;
  /** $select as the client wrote it (carried into the deltaLink). */
  sel: string | null;
  select: string[];
  /** The tenant's change counter when the round started: the next round reports changes after it. */
  upTo: number;
  entries: Entry[];
  startedAt: number;
}

interface DeltaToken {
  k: Kind;
  tid: string;
  since: number;
  sel: string | null;
  iat: number;
  epoch: number;
}

const ROUND_TTL_MS = 3_600_000;

/** Rounds in progress, so that paging within one round sees a fixed set of objects. */
export class DeltaRounds {
  private readonly rounds = new Map<string, Round>();

  start(round: Round): string {
    const now = Date.now();
    for (const [id, r] of this.rounds) if (now - r.startedAt > ROUND_TTL_MS) this.rounds.delete(id);
    const id = randomUUID();
    this.rounds.set(id, round);
    return id;
  }

  get(id: string): Round | undefined {
    return this.rounds.get(id);
  }
}

export function delta(r: GraphRequest, kind: Kind, rounds: DeltaRounds): Reply {
  requireRole(r, kind === 'users' ? USER_READ : GROUP_READ);
  const skip = r.query.get('$skiptoken');
  const deltaToken = r.query.get('$deltatoken');
  if (skip !== null) {
    const state = r.ctx.opaque.open<{ k: Kind; r: string; o: number }>(skip);
    const round = rounds.get(state.r);
    if (state.k !== kind || !round || round.tenantId !== r.tenant.tenantId) throw gone(r, kind, null);
    return roundPage(r, state.r, round, state.o);
  }
  if (deltaToken === 'latest') {
    const sel = r.query.get('$select');
    return { status: 200, body: { '@odata.context': context(r, kind, selectFor(r, kind, sel)), '@odata.deltaLink': deltaLink(r, kind, r.tenant.currentVersion, sel), value: [] } };
  }
  let since = 0;
  let sel = r.query.get('$select');
  if (deltaToken !== null) {
    const t = r.ctx.opaque.open<DeltaToken>(deltaToken);
    if (t.k !== kind || t.tid !== r.tenant.tenantId) throw new GraphError(400, 'Request_BadRequest', 'The $deltatoken does not belong to this request.');
    if (t.epoch !== r.ctx.deltaEpoch || Date.now() - t.iat > r.ctx.deltaTokenValidityMs) throw gone(r, kind, t.sel);
    since = t.since;
    sel = t.sel;
  }
  const select = selectFor(r, kind, sel);
  const round: Round = { kind, tenantId: r.tenant.tenantId, sel, select, upTo: r.tenant.currentVersion, entries: entries(r.tenant, kind, since, select), startedAt: Date.now() };
  return roundPage(r, rounds.start(round), round, 0);
}

function selectFor(r: GraphRequest, kind: Kind, sel: string | null): string[] {
  const q = new URLSearchParams(sel === null ? '' : `$select=${encodeURIComponent(sel)}`);
  const props = kind === 'users'
    ? selected(q, 'user', USER_DEFAULT_PROPERTIES, r.tenant.extraUserProperties(), ['manager'])
    : selected(q, 'group', GROUP_DEFAULT_PROPERTIES, [], ['members']);
  // Delta items always carry the object's id (documented samples).
  return props.includes('id') ? props : ['id', ...props];
}

function entries(tenant: SimTenant, kind: Kind, since: number, select: string[]): Entry[] {
  const single = kind === 'users' ? 'user' : 'group';
  const out: Entry[] = tenant.changedSince(single, since).map((id) => ({ id }));
  if (kind === 'groups' && select.includes('members')) {
    for (const e of out) e.members = since === 0 ? tenant.group(e.id)!.members.map((memberId) => ({ memberId, removed: false })) : tenant.memberChangesSince(e.id, since);
  }
  for (const gone of tenant.removedSince(single, since)) out.push({ id: gone.id, removed: gone.reason });
  return out;
}

function roundPage(r: GraphRequest, roundId: string, round: Round, offset: number): Reply {
  const size = r.ctx.deltaPageSize;
  const slice = round.entries.slice(offset, offset + size);
  const value: unknown[] = [];
  for (const e of slice) {
    if (e.removed) {
      value.push({ id: e.id, '@removed': { reason: e.removed } });
      continue;
    }
    // Removed since the round started: the next round reports it.
    const item = round.kind === 'users' ? userItem(r, e, round.select) : groupItem(r, e, round.select);
    if (item) value.push(item);
  }
  const body: Record<string, unknown> = { '@odata.context': context(r, round.kind, round.select) };
  if (offset + size < round.entries.length) {
    body['@odata.nextLink'] = `${r.base}/${round.kind}/delta?$skiptoken=${r.ctx.opaque.seal({ k: round.kind, r: roundId, o: offset + size })}`;
  } else {
    body['@odata.deltaLink'] = deltaLink(r, round.kind, round.upTo, round.sel);
  }
  body.value = value;
  return { status: 200, body };
}

function userItem(r: GraphRequest, e: Entry, select: string[]): Record<string, unknown> | undefined {
  const u = r.tenant.user(e.id);
  if (!u) return undefined;
  const out = project('user', u, select.filter((p) => p !== 'manager'));
  if (select.includes('manager')) {
    const m = r.tenant.managerOf(u.id);
    out['manager@delta'] = m ? [{ '@odata.type': ODATA_TYPE.user, id: m }] : [];
  }
  return out;
}

function groupItem(r: GraphRequest, e: Entry, select: string[]): Record<string, unknown> | undefined {
  const g = r.tenant.group(e.id);
  if (!g) return undefined;
  const out = project('group', groupRecord(g), select.filter((p) => p !== 'members'));
  if (e.members) {
    out['members@delta'] = e.members.map((m) => ({
      '@odata.type': ODATA_TYPE[r.tenant.kindOf(m.memberId) ?? 'user'],
      id: m.memberId,
      ...(m.removed ? { '@removed': { reason: 'deleted' } } : {}),
    }));
  }
  return out;
}

function context(r: GraphRequest, kind: Kind, select: string[]): string {
  return `${r.base}/$metadata#${kind}(${select.join(',')})`;
}

function deltaLink(r: GraphRequest, kind: Kind, since: number, sel: string | null): string {
  const token: DeltaToken = { k: kind, tid: r.tenant.tenantId, since, sel, iat: Date.now(), epoch: r.ctx.deltaEpoch };
  return `${r.base}/${kind}/delta?$deltatoken=${r.ctx.opaque.seal(token)}`;
}

/** 410 Gone: the sync state is lost; Location restarts a full round with the same $select. */
function gone(r: GraphRequest, kind: Kind, sel: string | null): GraphError {
  const location = `${r.base}/${kind}/delta${sel === null ? '' : `?$select=${encodeURIComponent(sel)}`}`;
  return new GraphError(410, 'syncStateNotFound', 'The delta token has expired or is no longer valid. Restart the sync from the Location header.', { location });
}
