// One round of a delta query (users or groups): the changes since a deltaLink, or everything when
// starting, and the deltaLink for next time. For incremental sync.
// 410 Gone means the sync state is lost: the error's details.location restarts a full round.
import { authFor } from './auth';
import type { ResolvedEntraConnection } from './connection';
import { GraphClient, GraphObject } from './graph-client';
import type { EntraReadOptions } from './options';
import { queryString } from './query';

export interface DeltaRound {
  /** Changed objects as Graph sent them (`@removed` marks deletions, `members@delta` membership). */
  changes: GraphObject[];
  /** Store it; the next round starts from it. */
  deltaLink: string;
}

export async function readDelta(
  conn: ResolvedEntraConnection,
  kind: 'users' | 'groups',
  from: { deltaLink: string } | { select: string[] },
  opts: EntraReadOptions,
): Promise<DeltaRound> {
  const auth = authFor(conn, opts.http, opts.log, opts.timeoutMs);
  const client = new GraphClient({ tenant: conn.name, auth, signal: opts.signal, log: opts.log, retry: opts.retry, timeoutMs: opts.timeoutMs });
  // Query parameters go only on the first call: Graph encodes them into the tokens (documented).
  let url = 'deltaLink' in from ? from.deltaLink : client.url(`/${kind}/delta?${queryString({ $select: from.select.join(',') })}`);
  const changes: GraphObject[] = [];
  for (;;) {
    const page = await client.page(url);
    changes.push(...page.value);
    if (page.deltaLink) return { changes, deltaLink: page.deltaLink };
    if (!page.nextLink) throw client.malformed(`GET /v1.0/${kind}/delta`, 'a page has neither @odata.nextLink nor @odata.deltaLink');
    url = page.nextLink;
  }
}
