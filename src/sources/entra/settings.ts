// The mapping's entra: entries as they are written (secrets still as references).
export type Cloud = 'global' | 'usgov' | 'china' | { loginUrl: string; graphUrl: string };

export interface EntraCertificate {
  thumbprintSha256: string;
  privateKeyFile?: string;
  privateKey?: string;
  x5c?: string;
}

export interface EntraConnection {
  name: string;
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  certificate?: EntraCertificate;
  cloud?: Cloud;
}

