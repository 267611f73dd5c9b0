// Small Halo worlds for the client and simulator tests, and a client wired to a simulator.
import type { HaloNeeds } from '../../src/core/needs';
import { HaloClient, HaloClientOptions } from '../../src/halo/client';
import { HttpClient } from '../../src/net/http';
import type { HaloRecord, HaloState } from '../../src/sim/state';
import { HaloSim, HaloSimOptions, startHaloSim } from '../../src/sim/halo/server';

export const SECRET = 'fixture-secret-5f3a9c';
export const ROLE_TECH = '03cbebd0-3443-4b7b-8121-9a94ccfc49d1';
export const ROLE_ADMIN = '7d1e2f30-aaaa-4bbb-8ccc-0123456789ab';
export const ROLE_REPORTS = '11111111-2222-4333-8444-555555555555';

export function haloState(opts: { users?: number; tenant?: string | null } = {}): HaloState {
  const sites: HaloRecord[] = [
    { id: 10, name: 'Head Office', client_id: 1, client_name: 'Contoso', inactive: false },
    { id: 11, name: 'Leeds', client_id: 1, client_name: 'Contoso', inactive: false },
    { id: 12, name: 'Old Depot', client_id: 1, client_name: 'Contoso', inactive: true },
  ];
  const users: HaloRecord[] = [];
  for (let i = 1; i <= (opts.users ?? 7); i++) {
    const site = sites[i % 2];
    users.push({
      id: 100 + i,
      name: `User ${String(i).padStart(3, '0')}`,
      emailaddress: `user${i}@contoso.com`,
      site_id: site.id,
      site_name: site.name,
      client_id: 1,
      client_name: 'Contoso',
      inactive: i % 5 === 0,
      azureoid: `oid-${i}`,
      roles: i === 1 ? [{ id: 1, name: 'End User' }] : [],
      customfields: [{ id: 7, name: 'CFDepartment', value: i % 2 ? 'Finance' : 'Sales' }],
    });
  }
  return {
    clientId: 'halo-app',
    clientSecret: SECRET,
    tenant: opts.tenant === undefined ? 'contoso' : opts.tenant,
    users,
    agents: [
      { id: 1, name: 'API User', email: null, isdisabled: false, isapiagent: true, is_agent: true, team: null, teams: [], roles: [], licence_type: 0 },
      {
        id: 2,
        name: 'Jane Doe',
        email: 'jane@contoso.com',
        isdisabled: false,
        isapiagent: false,
        is_agent: true,
        team: 'Service Desk',
        teams: [{ team_id: 3, team_name: 'Service Desk' }, { team_id: 4, team_name: 'Projects' }],
        roles: [{ id: ROLE_TECH, id_int: 5, name: 'Technician' }, { id: ROLE_REPORTS, id_int: 7, name: 'Reports' }],
        licence_type: 0,
        customfields: [],
      },
      { id: 3, name: 'Old Agent', email: 'old@contoso.com', isdisabled: true, isapiagent: false, is_agent: true, team: 'Service Desk', teams: [], roles: [], licence_type: 1 },
    ],
    sites,
    clients: [
      { id: 1, name: 'Contoso', inactive: false },
      { id: 2, name: 'Fabrikam', inactive: false },
    ],
    roles: [
      { id: ROLE_TECH, id_int: 5, name: 'Technician' },
      { id: ROLE_ADMIN, id_int: 6, name: 'Administrator' },
      { id: ROLE_REPORTS, id_int: 7, name: 'Reports' },
    ],
    userRoles: [
      { id: 1, name: 'End User' },
      { id: 2, name: 'Approver' },
    ],
    teams: [
      { id: 3, name: 'Service Desk', inactive: false },
      { id: 4, name: 'Projects', inactive: false },
    ],
    cabs: [
      {
        id: 1,
        name: 'Change Advisory Board',
        roles: [{ id: 1, cab_id: 1, name: 'Approver' }],
        members: [{ id: 1, cab_id: 1, agent_id: 2, type: 1, member_name: 'Jane Doe', role_id: 1, role_name: 'Approver' }],
      },
    ],
  };
}

export const NEEDS: HaloNeeds = {
  userFields: ['CFDepartment', 'emailaddress', 'name'],
  agentFields: ['email', 'name'],
  userRoles: true,
  agentRoles: true,
  userRoleNames: ['End User'],
  agentRoleNames: ['Administrator', 'Technician'],
  teams: true,
  cabs: true,
};

export const FAST_BACKOFF = [20, 20, 20];

export interface Harness {
  sim: HaloSim;
  http: HttpClient;
  client(overrides?: Partial<HaloClientOptions>): HaloClient;
  stop(): Promise<void>;
}

export async function harness(state: HaloState = haloState(), simOpts: HaloSimOptions = {}): Promise<Harness> {
  const sim = await startHaloSim(state, simOpts);
  const http = new HttpClient();
  return {
    sim,
    http,
    client: (overrides = {}) =>
      new HaloClient({
        url: sim.url,
        authUrl: sim.authUrl,
        tenant: state.tenant ?? undefined,
        clientId: state.clientId,
        clientSecret: state.clientSecret,
        http,
        backoffMs: FAST_BACKOFF,
        timeoutMs: 2000,
        ...overrides,
      }),
    async stop() {
      http.close();
      await sim.stop();
    },
  };
}

/** Requests the simulator saw, by method and a path pattern. */
export function count(sim: HaloSim, method: string, path: RegExp): number {
  return sim.requests.filter((r) => r.method === method && path.test(r.path)).length;
}
