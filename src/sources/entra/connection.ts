// A mapping's Entra connection with its secrets resolved, and the endpoints of each cloud.
import type { Cloud, EntraConnection } from './settings';
import { assertSecureUrl } from '../../net/http';

export interface ResolvedEntraCertificate {
  /** SHA-256 thumbprint of the uploaded certificate, hex. */
  thumbprintSha256: string;
  /** The private key in PEM (PKCS#8 or PKCS#1), already read from `privateKeyFile` and decrypted. */
  privateKey: string;
  /** Optional public certificate chain (PEM) sent as x5c, for subject-name/issuer authentication. */
  x5c?: string;
}

/** A token obtained for a person (device code, the editor's Microsoft account) rather than the app. */
export type DelegatedTokenSource = (options: { signal?: AbortSignal; forceRefresh: boolean }) => Promise<{ accessToken: string; expiresOn: Date }>;

/** EntraConnection whose `clientSecret` or `certificate.privateKey` hold the plaintext values. */
export interface ResolvedEntraConnection extends Omit<EntraConnection, 'clientSecret' | 'certificate'> {
  clientSecret?: string;
  certificate?: ResolvedEntraCertificate;
  /**
   * Delegated sign-in used instead of the app's credentials (editor only). Reads then see what
   * the signed-in person may see, so such snapshots are for planning, never for an apply.
   */
  delegated?: DelegatedTokenSource;
}

export interface CloudEndpoints {
  loginUrl: string;
  graphUrl: string;
  /** Not one of Microsoft's clouds: MSAL must be told to trust the authority (knownAuthorities). */
  custom: boolean;
}

const CLOUDS: Record<'global' | 'usgov' | 'china', { loginUrl: string; graphUrl: string }> = {
  global: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com' },
  usgov: { loginUrl: 'https://login.microsoftonline.us', graphUrl: 'https://graph.microsoft.us' },
  china: { loginUrl: 'https://login.chinacloudapi.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn' },
};

export function cloudEndpoints(cloud: Cloud | undefined): CloudEndpoints {
  if (cloud === undefined || typeof cloud === 'string') {
    const known = CLOUDS[cloud ?? 'global'];
    if (!known) throw new Error(`unknown cloud '${String(cloud)}' (expected global, usgov, china or { loginUrl, graphUrl })`);
    return { ...known, custom: false };
  }
  const loginUrl = cloud.loginUrl.replace(/\/+$/, '');
  const graphUrl = cloud.graphUrl.replace(/\/+$/, '');
  assertSecureUrl(loginUrl, 'cloud.loginUrl');
  assertSecureUrl(graphUrl, 'cloud.graphUrl');
  return { loginUrl, graphUrl, custom: true };
}
