// The one error a directory reader throws: what failed, where, and what the directory said,
// worded for the admin who has to fix it. A failed read never yields a partial snapshot.

export interface DirectoryReadErrorDetails {
  /** The connection name from the mapping. */
  tenant: string;
  /** `GET /api/v1/users`, `sign-in`…: never a full URL with tokens in it. */
  endpoint?: string;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** The directory's error code (`E0000047`, `invalid_client`…). */
  code?: string;
  /** For 410 Gone on delta: where to restart. */
  location?: string;
}

export class DirectoryReadError extends Error {
  constructor(
    message: string,
    readonly details: DirectoryReadErrorDetails,
  ) {
    super(message);
    this.name = 'DirectoryReadError';
  }
}

/** Replaces every occurrence of the given secrets (client secret, key, tokens) in `text`. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  apply(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return out;
  }
}
