// The mapping's okta: entries, as written and with their secrets resolved.

export interface OktaConnection {
  name: string;
  orgUrl: string;
  /** A service app signing in with private_key_jwt (preferred). */
  clientId?: string;
  privateKeyFile?: string;
  privateKey?: string;
  keyId?: string;
  /** An SSWS API token. */
  apiToken?: string;
}

export type OktaCredential = { kind: 'service-app'; clientId: string; privateKey: string; keyId?: string } | { kind: 'api-token'; token: string };

export interface ResolvedOktaConnection {
  name: string;
  /** https://contoso.okta.com, without a trailing slash. */
  orgUrl: string;
  credential: OktaCredential;
}
