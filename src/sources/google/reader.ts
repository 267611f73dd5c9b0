// Read one Google Workspace customer into the planner's snapshot: every user with the mapping's
// attributes, and the groups it names with their members, nested groups expanded. All or nothing.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryGroup, DirectoryTenant, DirectoryUser } from '../../core/snapshot';
import { allLimited } from '../concurrency';
import { DirectoryReadError } from '../errors';
import type { ReadOptions } from '../source';
import type { GoogleClient } from './client';
import { readGroup } from './groups';
import { readUsers } from './users';

const CONCURRENCY = 4;

export async function readCustomer(client: GoogleClient, tenant: string, customer: string, needs: DirectoryNeeds, opts: ReadOptions): Promise<DirectoryTenant> {
  if (needs.tenant !== tenant) throw new Error(`needs for tenant "${needs.tenant}" given to connection "${tenant}"`);
  const started = Date.now();
  const refs = [...new Set(needs.groups)];
  let users: DirectoryUser[] = [];
  const read = new Array<{ group: DirectoryGroup; everyone: boolean }>(refs.length);
  const tasks: Array<(signal: AbortSignal) => Promise<void>> = [
    async (signal) => {
      users = await readUsers(client, customer, needs, signal);
    },
    ...refs.map((ref, i) => async (signal: AbortSignal) => {
      read[i] = await readGroup(client, tenant, customer, ref, signal);
    }),
  ];
  try {
    await allLimited(tasks, CONCURRENCY, opts.signal);
  } catch (e) {
    if (e instanceof DirectoryReadError) opts.log?.('error', e.message);
    throw e;
  }
  // A group the whole customer belongs to counts every user.
  const groups = read.map(({ group, everyone }) => (everyone ? { ...group, memberIds: [...new Set([...group.memberIds, ...users.map((u) => u.id)])] } : group));
  opts.log?.('info', `Google Workspace "${tenant}": read ${users.length} users and ${groups.length} groups in ${((Date.now() - started) / 1000).toFixed(1)} s (${client.requests} Directory API requests).`);
  return { tenant, users, groups };
}
