// The one error the Entra reader throws: what failed, where, and what Graph or the login service
// said, worded for the admin who has to fix it. A failed read never yields a partial snapshot.

export interface EntraReadErrorDetails {
  /** The connection name from the mapping. */
  tenant: string;
  /** `GET /v1.0/users`, `sign-in`…: never a full URL with tokens in it. */
  endpoint?: string;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Graph's error code (`Authorization_RequestDenied`…) or the login service's (`invalid_client`…). */
  code?: string;
  /** For 410 Gone on delta: where to restart. */
  location?: string;
}

export class EntraReadError extends Error {
  constructor(
    message: string,
    readonly details: EntraReadErrorDetails,
  ) {
    super(message);
    this.name = 'EntraReadError';
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
