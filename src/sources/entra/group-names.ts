// Every group's display name in a tenant, for the editor's completion and did-you-mean checks of
// group names (the snapshot holds only the groups the mapping names). Bounded: a tenant with more
// groups than `maxGroups` yields undefined, and the editor then leaves group names unchecked.
import { authFor } from './auth';
import type { ResolvedEntraConnection } from './connection';
import { GraphClient } from './graph-client';
import type { EntraReadOptions } from './options';
import { queryString } from './query';

export async function listGroupNames(
  conn: ResolvedEntraConnection,
  opts: Pick<EntraReadOptions, 'http' | 'signal' | 'log' | 'retry' | 'timeoutMs'> & { maxGroups?: number },
): Promise<Array<{ id: string; displayName: string }> | undefined> {
  const max = opts.maxGroups ?? 20_000;
  const auth = authFor(conn, opts.http, opts.log, opts.timeoutMs);
  const client = new GraphClient({ tenant: conn.name, auth, signal: opts.signal, log: opts.log, retry: opts.retry, timeoutMs: opts.timeoutMs });
  const out: Array<{ id: string; displayName: string }> = [];
  const signal = opts.signal ?? new AbortController().signal;
  for await (const page of client.pages(client.url(`/groups?${queryString({ $select: 'id,displayName', $top: 999 })}`), signal)) {
    for (const g of page.value) if (typeof g.id === 'string') out.push({ id: g.id, displayName: String(g.displayName ?? '') });
    if (out.length > max) return undefined;
  }
  return out;
}
