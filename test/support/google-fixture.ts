// A Google Workspace simulator over HTTPS with a seeded customer, and connections to it as the
// engine opens them.
import type { DirectoryNeeds } from '../../src/core/needs';
import { HttpClient } from '../../src/net/http';
import { Faults } from '../../src/sim/faults';
import { GoogleSim, GoogleSimOptions, startGoogleSim } from '../../src/sim/google/server';
import type { GoogleCustomer } from '../../src/sim/google/state';
import { generateGoogleCustomer } from '../../src/sim/google/world';
import { makeCertificate } from '../../src/sim/tls';
import { googleSource, GoogleDirectory } from '../../src/sources/google/source';

export interface GoogleEnv {
  sim: GoogleSim;
  customer: GoogleCustomer;
  faults: Faults;
  http: HttpClient;
  open(settings?: Record<string, unknown>): GoogleDirectory;
  close(): Promise<void>;
}

export async function startGoogleEnv(users = 300, options: Partial<GoogleSimOptions> = {}, customer = generateGoogleCustomer({ users, seed: 4 })): Promise<GoogleEnv> {
  const tls = await makeCertificate();
  const faults = new Faults();
  const sim = await startGoogleSim(customer, { tls, faults, ...options });
  const http = new HttpClient({ ca: [tls.cert] });
  return {
    sim,
    customer,
    faults,
    http,
    open(settings = {}) {
      const c = customer.credentials;
      const base = { name: 'partners', subject: c.subject, serviceAccountKey: c.serviceAccountKey, apiUrl: sim.url, tokenUrl: sim.tokenUrl };
      return googleSource.open({ ...base, ...settings }, { http, readFile: () => '', retry: { maxAttempts: 3, baseDelayMs: 20, timeoutMs: 3000 } }) as GoogleDirectory;
    },
    async close() {
      http.close();
      await sim.stop();
    },
  };
}

export function googleNeeds(extra: Partial<DirectoryNeeds> = {}): DirectoryNeeds {
  return { tenant: 'partners', attributes: ['orgUnitPath'], groups: [], manager: false, managerAttributes: [], ...extra };
}
