// The mapping's google: entries, as written and with their secrets resolved.

export interface GoogleConnection {
  name: string;
  /** The administrator the service account acts as (the assertion's `sub`). */
  subject: string;
  serviceAccountKey?: string;
  serviceAccountKeyFile?: string;
  customer?: string;
  apiUrl?: string;
  tokenUrl?: string;
}

/** The fields of a service account's JSON key this reader uses. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

export interface ResolvedGoogleConnection {
  name: string;
  subject: string;
  key: ServiceAccountKey;
  customer: string;
  /** https://admin.googleapis.com, without a trailing slash. */
  apiUrl: string;
  tokenUrl: string;
}
