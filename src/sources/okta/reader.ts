// Read one Okta org into the planner's snapshot: every user with the mapping's attributes, and
// the groups it names with their members. All or nothing.
import type { DirectoryNeeds } from '../../core/needs';
import type { DirectoryGroup, DirectoryTenant, DirectoryUser } from '../../core/snapshot';
import { allLimited } from '../concurrency';
import { DirectoryReadError } from '../errors';
import type { ReadOptions } from '../source';
import type { OktaClient } from './client';
import { readGroup } from './groups';
import { ManagerRef, readUsers } from './users';

/** Requests in flight at once: two, so the rate-limit headers of one answer steer the next. */
const CONCURRENCY = 2;

export async function readOrg(client: OktaClient, tenant: string, needs: DirectoryNeeds, opts: ReadOptions, onManagerRef?: (id: string, ref: ManagerRef) => void): Promise<DirectoryTenant> {
  if (needs.tenant !== tenant) throw new Error(`needs for tenant "${needs.tenant}" given to connection "${tenant}"`);
  const started = Date.now();
  const refs = [...new Set(needs.groups)];
  let users: DirectoryUser[] = [];
  const groups: DirectoryGroup[] = new Array(refs.length);
  const tasks: Array<(signal: AbortSignal) => Promise<void>> = [
    async (signal) => {
      users = await readUsers(client, needs, signal, onManagerRef);
    },
    ...refs.map((ref, i) => async (signal: AbortSignal) => {
      groups[i] = await readGroup(client, tenant, ref, signal);
    }),
  ];
  try {
    await allLimited(tasks, CONCURRENCY, opts.signal);
  } catch (e) {
    if (e instanceof DirectoryReadError) opts.log?.('error', e.message);
    throw e;
  }
  opts.log?.('info', `Okta "${tenant}": read ${users.length} users and ${groups.length} groups in ${((Date.now() - started) / 1000).toFixed(1)} s (${client.requests} Okta requests).`);
  return { tenant, users, groups };
}
