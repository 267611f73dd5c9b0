// For reports: the direct members of a group the mapping names and of every group nested in it,
// so that a grant's provenance can show the path of nested groups. One request (and its pages)
// per group in the tree; plans never need this, they read transitive members.
import type { GroupTree } from '../../core/reports/group-paths';
import type { DirectoryGroup } from '../../core/snapshot';
import { authFor } from './auth';
import type { ResolvedEntraConnection } from './connection';
import { GraphClient } from './graph-client';
import type { EntraReadOptions } from './options';
import { queryString } from './query';

const USER = '#microsoft.graph.user';
const GROUP = '#microsoft.graph.group';

async function readGroupTree(client: GraphClient, rootId: string, rootName: string, pageSize: number, signal: AbortSignal, into: Map<string, { name: string; users: Set<string>; groups: string[] }>): Promise<GroupTree> {
  const names = new Map([[rootId, rootName]]);
  const queue = [rootId];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    if (into.has(id)) continue;
    const node = { name: names.get(id) ?? id, users: new Set<string>(), groups: [] as string[] };
    const url = client.url(`/groups/${id}/members?${queryString({ $select: 'id,displayName', $top: pageSize })}`);
    for await (const page of client.pages(url, signal)) {
      for (const m of page.value) {
        if (typeof m.id !== 'string') throw client.malformed(`GET /v1.0/groups/${id}/members`, 'a member has no id');
        if (m['@odata.type'] === USER) node.users.add(m.id);
        else if (m['@odata.type'] === GROUP) {
          node.groups.push(m.id);
          names.set(m.id, String(m.displayName ?? m.id));
          queue.push(m.id);
        }
      }
    }
    into.set(id, node);
  }
  return into;
}

/** The trees of every group a tenant's snapshot read, one map for the tenant (shared subgroups read once). */
export async function readGroupTrees(conn: ResolvedEntraConnection, groups: readonly DirectoryGroup[], opts: EntraReadOptions): Promise<GroupTree> {
  const auth = authFor(conn, opts.http, opts.log, opts.timeoutMs);
  const client = new GraphClient({ tenant: conn.name, auth, signal: opts.signal, log: opts.log, retry: opts.retry, timeoutMs: opts.timeoutMs });
  const signal = opts.signal ?? new AbortController().signal;
  const tree = new Map<string, { name: string; users: Set<string>; groups: string[] }>();
  for (const g of groups) await readGroupTree(client, g.id, g.displayName, opts.pageSize ?? 999, signal, tree);
  return tree;
}
