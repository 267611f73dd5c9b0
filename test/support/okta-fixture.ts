// An Okta simulator over HTTPS with a seeded org, and connections to it as the engine opens them.
import { HttpClient } from '../../src/net/http';
import { Faults } from '../../src/sim/faults';
import { OktaSim, OktaSimOptions, startOktaSim } from '../../src/sim/okta/server';
import type { OktaOrg } from '../../src/sim/okta/state';
import { generateOktaOrg } from '../../src/sim/okta/world';
import { makeCertificate } from '../../src/sim/tls';
import type { DirectoryNeeds } from '../../src/core/needs';
import { oktaSource, OktaDirectory } from '../../src/sources/okta/source';

export interface OktaEnv {
  sim: OktaSim;
  org: OktaOrg;
  faults: Faults;
  http: HttpClient;
  /** A connection as an `okta:` entry opens it: the service app by default, or the API token. */
  open(how?: 'service-app' | 'api-token', settings?: Record<string, unknown>): OktaDirectory;
  close(): Promise<void>;
}

export async function startOktaEnv(users = 300, options: Partial<OktaSimOptions> = {}, org = generateOktaOrg({ users, seed: 3 })): Promise<OktaEnv> {
  const tls = await makeCertificate();
  const faults = new Faults();
  const sim = await startOktaSim(org, { tls, faults, ...options });
  const http = new HttpClient({ ca: [tls.cert] });
  return {
    sim,
    org,
    faults,
    http,
    open(how = 'service-app', settings = {}) {
      const c = org.credentials;
      const base = how === 'api-token' ? { name: 'customers', orgUrl: sim.url, apiToken: c.apiToken } : { name: 'customers', orgUrl: sim.url, clientId: c.clientId, privateKey: c.privateKeyPem };
      return oktaSource.open({ ...base, ...settings }, { http, readFile: () => '', retry: { maxAttempts: 3, baseDelayMs: 20, timeoutMs: 3000 } }) as OktaDirectory;
    },
    async close() {
      http.close();
      await sim.stop();
    },
  };
}

export function oktaNeeds(extra: Partial<DirectoryNeeds> = {}): DirectoryNeeds {
  return { tenant: 'customers', attributes: ['department', 'status'], groups: [], manager: false, managerAttributes: [], ...extra };
}
