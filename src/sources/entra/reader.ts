// Read one Entra tenant into the planner's snapshot: users with the mapping's attributes, and the
// groups it names with their transitive user members. All or nothing.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryGroup, DirectoryTenant, DirectoryUser } from '../../core/snapshot';
import { authFor } from './auth';
import { allLimited } from '../concurrency';
import type { ResolvedEntraConnection } from './connection';
import { EntraReadError } from './errors';
import { GraphClient } from './graph-client';
import { readGroup } from './groups';
import type { EntraReadOptions } from './options';
import { readableNeeds } from './token-info';
import { readUsers } from './users';

export async function readTenant(conn: ResolvedEntraConnection, needs: DirectoryNeeds, opts: EntraReadOptions): Promise<DirectoryTenant> {
  if (needs.tenant !== conn.name) throw new Error(`needs for tenant "${needs.tenant}" given to connection "${conn.name}"`);
  const pageSize = opts.pageSize ?? 999;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 999) throw new Error(`pageSize must be 1 to 999 (Graph's limit), not ${pageSize}`);
  const started = Date.now();
  const auth = authFor(conn, opts.http, opts.log, opts.timeoutMs);
  const client = new GraphClient({ tenant: conn.name, auth, signal: opts.signal, log: opts.log, retry: opts.retry, timeoutMs: opts.timeoutMs });
  const { needs: readable, unread } = await readableNeeds(auth, needs, opts.signal);

  // One read per distinct group object: a group named twice (by name and by id) is read once.
  const refs = [...new Set(needs.groups)];
  let users: DirectoryUser[] = [];
  const groups: DirectoryGroup[] = new Array(refs.length);
  const tasks: Array<(signal: AbortSignal) => Promise<void>> = [
    async (signal) => {
      users = await readUsers(client, readable, pageSize, signal);
    },
    ...refs.map((ref, i) => async (signal: AbortSignal) => {
      groups[i] = await readGroup(client, conn.name, ref, pageSize, signal);
    }),
  ];
  try {
    await allLimited(tasks, opts.concurrency ?? 4, opts.signal);
  } catch (e) {
    if (e instanceof EntraReadError) opts.log?.('error', e.message);
    throw e;
  }
  opts.log?.('info', `Entra "${conn.name}": read ${users.length} users and ${groups.length} groups in ${((Date.now() - started) / 1000).toFixed(1)} s (${client.requests} Graph requests).`);
  return { tenant: conn.name, users, groups, ...(unread.length ? { unreadAttributes: unread } : {}) };
}
